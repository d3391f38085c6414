export const TABLE: string;
export function scanKernelFunctions(root: string): Map<string, string[]>;
export function renderTable(map: Map<string, string[]>): string;

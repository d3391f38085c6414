// The colours the panel uses, as VS Code 1.100.3 (code-server 4.100.3) defines them for its four
// default themes: each theme file (extensions/theme-defaults/themes/*.json with its includes) over the
// colour registry's defaults for the theme kind. Transcribed from those files; the webview harness
// sets them as the --vscode-* variables the real webview host sets.
export type ThemeName = 'light-modern' | 'dark-modern' | 'hc-black' | 'hc-light';

const BASE = { '--vscode-font-family': 'sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': 'monospace' };

export const THEME_VARS: Record<ThemeName, { cls: string; vars: Record<string, string> }> = {
  'light-modern': {
    cls: 'vscode-light',
    vars: {
      ...BASE,
      '--vscode-foreground': '#3B3B3B',
      '--vscode-editor-background': '#FFFFFF',
      '--vscode-errorForeground': '#F85149',
      '--vscode-testing-iconPassed': '#73C991',
      '--vscode-descriptionForeground': '#3B3B3B',
      '--vscode-editorWarning-foreground': '#BF8803',
      '--vscode-charts-orange': '#D18616',
      '--vscode-textBlockQuote-background': '#F8F8F8',
      '--vscode-editorWidget-background': '#F8F8F8',
      '--vscode-list-activeSelectionBackground': '#E8E8E8',
      '--vscode-list-activeSelectionForeground': '#000000',
      '--vscode-focusBorder': '#005FB8',
      '--vscode-editor-lineHighlightBackground': '#00000000',
    },
  },
  'dark-modern': {
    cls: 'vscode-dark',
    vars: {
      ...BASE,
      '--vscode-foreground': '#CCCCCC',
      '--vscode-editor-background': '#1F1F1F',
      '--vscode-errorForeground': '#F85149',
      '--vscode-testing-iconPassed': '#73C991',
      '--vscode-descriptionForeground': '#9D9D9D',
      '--vscode-editorWarning-foreground': '#CCA700',
      '--vscode-charts-orange': '#D18616',
      '--vscode-textBlockQuote-background': '#2B2B2B',
      '--vscode-editorWidget-background': '#202020',
      '--vscode-list-activeSelectionBackground': '#04395E',
      '--vscode-list-activeSelectionForeground': '#FFFFFF',
      '--vscode-focusBorder': '#0078D4',
      '--vscode-editor-lineHighlightBackground': '#00000000',
    },
  },
  'hc-black': {
    cls: 'vscode-high-contrast',
    vars: {
      ...BASE,
      '--vscode-foreground': '#FFFFFF',
      '--vscode-editor-background': '#000000',
      '--vscode-errorForeground': '#F48771',
      '--vscode-testing-iconPassed': '#73C991',
      '--vscode-descriptionForeground': 'rgba(255, 255, 255, 0.7)',
      '--vscode-editorWarning-foreground': '#FFD370',
      '--vscode-charts-orange': '#AB5A00',
      '--vscode-textBlockQuote-background': 'transparent',
      '--vscode-editorWidget-background': '#0C141F',
      '--vscode-list-activeSelectionBackground': 'transparent',
      '--vscode-list-activeSelectionForeground': '#FFFFFF',
      '--vscode-focusBorder': '#F38518',
      '--vscode-editor-lineHighlightBackground': 'transparent',
    },
  },
  'hc-light': {
    cls: 'vscode-high-contrast-light',
    vars: {
      ...BASE,
      '--vscode-foreground': '#292929',
      '--vscode-editor-background': '#FFFFFF',
      '--vscode-errorForeground': '#B5200D',
      '--vscode-testing-iconPassed': '#007100',
      '--vscode-descriptionForeground': 'rgba(41, 41, 41, 0.7)',
      '--vscode-editorWarning-foreground': '#895503',
      '--vscode-charts-orange': '#0F4A85',
      '--vscode-textBlockQuote-background': '#F2F2F2',
      '--vscode-editorWidget-background': '#FFFFFF',
      '--vscode-list-activeSelectionBackground': 'transparent',
      '--vscode-list-activeSelectionForeground': '#292929',
      '--vscode-focusBorder': '#006BBD',
      '--vscode-editor-lineHighlightBackground': 'transparent',
    },
  },
};

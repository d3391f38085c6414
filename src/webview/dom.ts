// DOM helpers: every piece of text goes in through textContent, never through innerHTML,
// because trace details, function names and patch text come from outside the page.

export interface ElOptions {
  cls?: string;
  text?: string;
  title?: string;
  attrs?: Record<string, string>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  o: ElOptions = {},
  children: (Node | null)[] = [],
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (o.cls) e.className = o.cls;
  if (o.text !== undefined) e.textContent = o.text;
  if (o.title !== undefined) e.title = o.title;
  if (o.attrs) for (const k in o.attrs) e.setAttribute(k, o.attrs[k]);
  for (const c of children) if (c) e.appendChild(c);
  return e;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  text?: string,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const k in attrs) e.setAttribute(k, String(attrs[k]));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A codicon glyph; the name is a fixed identifier chosen by this page, never data. */
export function icon(name: string, label?: string): HTMLElement {
  const e = el('span', { cls: `codicon codicon-${name}` });
  if (label) {
    e.setAttribute('role', 'img');
    e.setAttribute('aria-label', label);
  } else {
    e.setAttribute('aria-hidden', 'true');
  }
  return e;
}

export function button(label: string, iconName: string, onClick: () => void, title?: string): HTMLElement {
  // vscode-button when the component library registered it; a plain button reads the same otherwise
  const tag = customElements.get('vscode-button') ? 'vscode-button' : 'button';
  const b = document.createElement(tag);
  b.className = 'mm-button';
  if (tag === 'vscode-button') b.setAttribute('icon', iconName);
  else b.appendChild(icon(iconName));
  b.appendChild(document.createTextNode(label));
  if (title) b.title = title;
  b.addEventListener('click', onClick);
  return b;
}

/**
 * A tiny DOM builder: `h("button", { class: "play", onclick }, "Play")`. Text children are text nodes
 * (never parsed as HTML), so names from other players are always safe to show.
 *
 * @module
 */

/** Attributes and event handlers of an element. */
export type Props = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

/** A child: a node, text, or nothing. */
export type Child = Node | string | number | null | undefined | false;

/** Builds an element. `data-*` and `aria-*` props are attributes; `on*` props are listeners. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") {
      element.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      element.className = String(value);
    } else if (key === "value" && (element instanceof HTMLInputElement)) {
      element.value = String(value);
    } else {
      element.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

/** Appends `children` to `parent`. */
export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces `parent`'s children with `children`. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

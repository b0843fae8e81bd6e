// DOM helpers. API and user text only ever enters the page as text nodes (never as HTML).

export const $ = (id) => document.getElementById(id);

/** el("li", {className: "x"}, "text", childNode, …) — strings become text nodes. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "className") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

export function show(node, visible = true) {
  node.hidden = !visible;
  return node;
}

/** A regular expression matching the words of ``phrase`` in order, whatever lies between them. */
function phraseRegex(phrase) {
  const tokens = String(phrase).match(/[\p{L}\p{N}']+/gu);
  if (!tokens || !tokens.length) return null;
  const escaped = tokens.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(escaped.join("[^\\p{L}\\p{N}]+"), "iu");
}

/**
 * Find each phrase in ``text`` (first non-overlapping occurrence, case-insensitive).
 * ``phrases`` is [{text, kind, title}]; earlier entries win overlaps. Returns sorted ranges.
 */
export function findRanges(text, phrases) {
  const ranges = [];
  for (const phrase of phrases) {
    const re = phraseRegex(phrase.text);
    if (!re) continue;
    let from = 0;
    while (from <= text.length) {
      const m = re.exec(text.slice(from));
      if (!m) break;
      const start = from + m.index;
      const end = start + m[0].length;
      if (!ranges.some((r) => start < r.end && r.start < end)) {
        ranges.push({ start, end, kind: phrase.kind, title: phrase.title });
        break;
      }
      from = start + 1;
    }
  }
  return ranges.sort((a, b) => a.start - b.start);
}

/** ``text`` as nodes with each range wrapped: unsupported → <mark>, recognised → <span>. */
export function highlighted(text, ranges) {
  const nodes = [];
  let pos = 0;
  for (const r of ranges) {
    if (r.start > pos) nodes.push(document.createTextNode(text.slice(pos, r.start)));
    const tag = r.kind === "unsupported" ? "mark" : "span";
    nodes.push(el(tag, { className: r.kind, title: r.title || undefined }, text.slice(r.start, r.end)));
    pos = r.end;
  }
  if (pos < text.length) nodes.push(document.createTextNode(text.slice(pos)));
  return nodes;
}

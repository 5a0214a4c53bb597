// Building the page. Every string from the server or another person goes in as text (text
// nodes, textContent), never as markup: nothing in this page parses HTML.

/** `el('p', {class: 'x', onclick: f}, 'text', child)` */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = visible(value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(visible(String(child))));
  }
  return node;
}

/** Characters as the server counts them (grapheme clusters: 👍🏽 is one). */
const graphemes = 'Segmenter' in Intl ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;
// A person's name as the page shows it: an integration's account marked, so nobody takes a
// bot's words for a person's.
export function named(user) {
  return user.displayName + (user.isBot ? ' [bot]' : '');
}

export function characters(text) {
  if (!graphemes) return [...text].length;
  let count = 0;
  for (const _ of graphemes.segment(text)) count += 1;
  return count;
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

/**
 * Text as it may be shown: control characters (but tab and newline) and the bidirectional
 * overrides and isolates become U+FFFD, so a peer's text cannot reorder or hide what is around
 * it — the terminal client's rule, in the page.
 */
export function visible(text) {
  return String(text).replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g, '\uFFFD');
}

/** A message's text with web addresses as links (http and https only, opened apart). */
export function linked(text) {
  const parts = [];
  const pattern = /\bhttps?:\/\/[^\s<>"'«»]+[^\s<>"'«».,;:!?)\]]/gi;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push(el('a', { href: match[0], target: '_blank', rel: 'noopener noreferrer nofollow' }, match[0]));
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/** A search snippet, its `«hit»` marks as <mark>, the rest as text. */
export function marked(snippet) {
  return snippet.split(/(«[^»]*»)/).filter(Boolean)
    .map(part => part.startsWith('«') && part.endsWith('»') ? el('mark', {}, part.slice(1, -1)) : part);
}

/** A random id where `crypto.randomUUID` is missing (pages served over plain http). */
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map(b => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Runs `task` holding the named Web Lock (across this user's tabs), or plainly without them. */
export function withLock(name, task) {
  return navigator.locks ? navigator.locks.request(name, task) : task();
}

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const day = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const shortDay = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });

export const time = date => clock.format(date);
export function dayName(date, now = new Date()) {
  const start = d => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((start(now) - start(date)) / 86_400_000);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  return day.format(date);
}
/** "14:02" today, "3 Dec" before. */
export function when(date, now = new Date()) {
  return dayName(date, now) === 'Today' ? time(date) : shortDay.format(date);
}

export function bytes(count) {
  if (count < 1024) return `${count} B`;
  if (count < 1024 * 1024) return `${(count / 1024).toFixed(count < 10240 ? 1 : 0)} KB`;
  return `${(count / 1024 / 1024).toFixed(1)} MB`;
}

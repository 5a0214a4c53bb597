// One ticket's conversation on screen: messages in seq order with day separators, grouping,
// times, system lines, attachments and the sender's marks (sending, sent, delivered, read);
// older history paged in when scrolled to the top. A pure function of its state, re-rendered
// when the state changes.
import { el, $, linked, dayName, time, bytes, named } from './dom.js';
import * as api from './api.js';

const GROUP_MS = 5 * 60_000;
const previews = new Map(); // attachment id → object URL (the bytes need the token)

export class Conversation {
  constructor(ticket, me) {
    this.ticket = ticket;
    this.me = me;
    this.messages = new Map(); // seq → Message
    this.pending = new Map(); // clientMessageId → outbox item (written, not acknowledged)
    this.refused = new Map(); // clientMessageId → {item, sentence}
    this.delivered = 0; // the highest seq someone else's client has received
    this.read = 0; // … has read
    this.hasMore = true;
    this.loading = false;
    this.typing = new Map(); // userId → {name, timer}
    this.highlight = null; // seq marked by a search
  }

  /** The newest seq written by someone else (what a read mark is about). */
  latestFromOthers() {
    let latest = 0;
    for (const message of this.messages.values()) if (message.sender.id !== this.me.id && message.seq > latest) latest = message.seq;
    return latest;
  }

  get lastSeq() { return Math.max(0, ...this.messages.keys()); }
  get firstSeq() { return this.messages.size ? Math.min(...this.messages.keys()) : null; }

  /** Adds messages (history or live), replacing the pending copy of one of ours. */
  add(list) {
    for (const message of list) {
      if (message.internal) continue;
      this.messages.set(message.seq, message);
      if (message.clientMessageId) this.pending.delete(message.clientMessageId);
      // `isRead` on one of ours: someone else has read it, and so all before it.
      if (message.sender.id === this.me.id && message.isRead) this.read = Math.max(this.read, message.seq);
    }
  }

  acknowledged(item, ack) {
    this.pending.delete(item.clientMessageId);
    if (this.messages.has(ack.seq)) return;
    this.messages.set(ack.seq, {
      id: ack.messageId, ticketId: ack.ticketId, seq: ack.seq, clientMessageId: item.clientMessageId,
      sender: { id: this.me.id, displayName: this.me.displayName, role: this.me.role },
      senderType: 'CUSTOMER', message: ack.message ?? item.message, messageType: item.messageType,
      internal: false, isRead: false, timestamp: ack.timestamp, attachment: item.attachment ?? null,
      redactions: ack.redactions ?? [],
    });
  }

  marked(frame) {
    if (frame.userId === this.me.id) return;
    if (frame.type === 'MESSAGES_DELIVERED') this.delivered = Math.max(this.delivered, frame.upToSeq);
    if (frame.type === 'MESSAGES_READ') {
      this.read = Math.max(this.read, frame.upToSeq);
      this.delivered = Math.max(this.delivered, frame.upToSeq);
    }
  }

  /** Pages older messages in; answers whether any came. */
  async older() {
    if (this.loading || !this.hasMore) return false;
    this.loading = true;
    try {
      const page = await api.messages(this.ticket.id, { beforeSeq: this.firstSeq ?? undefined, limit: 50 });
      this.add(page.items);
      this.hasMore = page.hasMore;
      return page.items.length > 0;
    } finally {
      this.loading = false;
    }
  }

  /** What the others have typed lately, as a line. */
  typingLine() {
    const names = [...this.typing.values()].map(entry => entry.name);
    if (names.length === 0) return '';
    return names.length === 1 ? `${names[0]} is typing…` : `${names.join(' and ')} are typing…`;
  }

  startTyping(user) {
    clearTimeout(this.typing.get(user.id)?.timer);
    // The server relays a stop after 6 s without a refresh; this is the safety net for a lost one.
    const timer = setTimeout(() => { this.typing.delete(user.id); this.onchange?.(); }, 8_000);
    this.typing.set(user.id, { name: named(user), timer });
  }

  stopTyping(user) {
    clearTimeout(this.typing.get(user.id)?.timer);
    this.typing.delete(user.id);
  }

  /** The list's elements, oldest first. */
  render(now = new Date()) {
    const items = [];
    const shown = [...this.messages.values()].sort((a, b) => a.seq - b.seq);
    const waiting = [...this.pending.values()].map(item => ({
      pending: true, clientMessageId: item.clientMessageId, sender: this.me, senderType: 'CUSTOMER',
      message: item.message, messageType: item.messageType, attachment: item.attachment ?? null,
      timestamp: item.writtenAt,
    }));
    const failed = [...this.refused.values()].map(({ item, sentence }) => ({
      failed: sentence, clientMessageId: item.clientMessageId, sender: this.me, senderType: 'CUSTOMER',
      message: item.message, messageType: item.messageType, attachment: item.attachment ?? null, timestamp: item.writtenAt,
    }));
    let previous = null;
    if (!this.hasMore) {
      // The whole history is here: it begins with what the ticket was opened with.
      const at = new Date(this.ticket.createdAt);
      items.push(el('li', { class: 'day', role: 'separator' }, el('span', {}, dayName(at, now))));
      items.push(el('li', { class: 'opening' },
        el('p', { class: 'who' }, this.ticket.customer.id === this.me.id ? 'You opened the ticket' : `${this.ticket.customer.displayName} opened the ticket`,
          ' · ', el('time', { datetime: this.ticket.createdAt }, time(at))),
        el('p', { class: 'text', dir: 'auto' }, linked(this.ticket.description))));
      previous = { timestamp: this.ticket.createdAt, sender: { id: -1 } };
    }
    for (const message of [...shown, ...waiting, ...failed]) {
      const at = new Date(message.timestamp);
      if (!previous || dayName(new Date(previous.timestamp), now) !== dayName(at, now)) {
        items.push(el('li', { class: 'day', role: 'separator' }, el('span', {}, dayName(at, now))));
        previous = null;
      }
      if (message.senderType === 'SYSTEM') {
        items.push(el('li', { class: 'system', dataset: { seq: message.seq } }, el('span', {}, message.message), ' ', el('time', { datetime: message.timestamp }, time(at))));
        previous = null;
        continue;
      }
      const grouped = previous && previous.sender.id === message.sender.id && at - new Date(previous.timestamp) < GROUP_MS;
      items.push(this.bubble(message, at, grouped));
      previous = message;
    }
    return items;
  }

  bubble(message, at, grouped) {
    const mine = message.sender.id === this.me.id;
    const classes = ['message', mine ? 'mine' : 'theirs'];
    if (grouped) classes.push('grouped');
    if (message.pending) classes.push('pending');
    if (message.failed) classes.push('failed');
    if (this.highlight && message.seq === this.highlight) classes.push('found');
    const who = mine ? 'You' : named(message.sender);
    const body = el('div', { class: 'body', dir: 'auto' });
    if (message.attachment) body.append(this.attachment(message.attachment, message.messageType));
    if (message.message && !(message.attachment && message.message === message.attachment.fileName)) {
      body.append(el('p', { class: 'text' }, linked(message.message)));
    }
    const footer = el('p', { class: 'foot' }, el('time', { datetime: message.timestamp, title: at.toLocaleString() }, time(at)));
    if (mine) footer.append(' ', this.mark(message));
    if (message.redactions?.length) footer.append(' ', el('span', { class: 'redacted' }, redactionNote(message.redactions)));
    if (message.mergedFromTicketId) footer.append(' ', el('span', { class: 'merged' }, `from ticket #${message.mergedFromTicketId}`));
    const item = el('li', { class: classes.join(' '), dataset: { seq: message.seq ?? '' } },
      grouped ? null : el('p', { class: 'who' }, who, message.sender.role && message.sender.role !== 'CUSTOMER' && !mine ? el('span', { class: 'role' }, ' · support') : null),
      body, footer);
    if (message.failed) {
      item.append(el('p', { class: 'failure', role: 'alert' }, `Not sent: ${message.failed}`, ' ',
        el('button', { type: 'button', class: 'text-button', dataset: { edit: message.clientMessageId } }, 'Edit and send again'),
        el('button', { type: 'button', class: 'text-button', dataset: { discard: message.clientMessageId } }, 'Discard')));
    }
    return item;
  }

  mark(message) {
    if (message.failed) return el('span', { class: 'mark failed', 'aria-label': 'Not sent' }, '!');
    if (message.pending) return el('span', { class: 'mark pending', title: 'Waiting to be sent', 'aria-label': 'Waiting to be sent' }, '◷ sending');
    if (message.seq <= this.read || message.isRead) return el('span', { class: 'mark read', title: 'Read', 'aria-label': 'Read' }, '✓✓ read');
    if (message.seq <= this.delivered) return el('span', { class: 'mark delivered', title: 'Delivered', 'aria-label': 'Delivered' }, '✓✓');
    return el('span', { class: 'mark sent', title: 'Sent', 'aria-label': 'Sent' }, '✓');
  }

  attachment(file, type) {
    if (type === 'IMAGE' || file.contentType?.startsWith('image/')) {
      const image = el('img', { class: 'preview', alt: file.fileName, loading: 'lazy' });
      const holder = el('button', { type: 'button', class: 'image', title: `${file.fileName} (${bytes(file.size)})`, dataset: { download: file.id, name: file.fileName } }, image);
      preview(file.id).then(url => { image.src = url; }).catch(() => { image.alt = `${file.fileName} (could not be loaded)`; });
      return holder;
    }
    return el('button', { type: 'button', class: 'file', dataset: { download: file.id, name: file.fileName } },
      el('span', { class: 'file-icon', 'aria-hidden': 'true' }, '↓'), ' ', file.fileName, ' ', el('span', { class: 'size' }, bytes(file.size)));
  }
}

function redactionNote(redactions) {
  return redactions.map(({ rule, count }) => rule === 'card'
    ? (count > 1 ? `${count} card numbers masked` : 'card number masked')
    : `masked by the '${rule}' rule`).join(', ');
}

export async function preview(id) {
  if (!previews.has(id)) previews.set(id, api.attachment(id).then(blob => URL.createObjectURL(blob)));
  try {
    return await previews.get(id);
  } catch (error) {
    previews.delete(id);
    throw error;
  }
}

/** Saves an attachment under its name (fetched with the token, handed over as a blob). */
export async function download(id, name) {
  const url = await preview(id);
  const link = el('a', { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
}

/** Puts the elements in place, keeping the reader where they were (or at the end if they were). */
export function paint(conversation, { keepBottom, anchor } = {}) {
  const log = $('#log'), list = $('#messages');
  const atBottom = keepBottom ?? log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  const before = log.scrollHeight, top = log.scrollTop;
  list.replaceChildren(...conversation.render());
  $('#log-top').textContent = conversation.hasMore ? (conversation.loading ? 'Loading older messages…' : 'Scroll up for older messages') : '';
  if (anchor === 'top') log.scrollTop = top + (log.scrollHeight - before);
  else if (atBottom) log.scrollTop = log.scrollHeight;
  $('#typing').textContent = conversation.typingLine();
}

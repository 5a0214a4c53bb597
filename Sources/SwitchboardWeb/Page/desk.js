// The signed-in customer's desk: the ticket list (live), the open conversation, the composer
// with its outbox, attachments, search, status changes and the rating. Phone-sized screens show
// one pane at a time (list ↔ chat, with the back button and the browser's own back); wider ones
// side by side.
import { el, $, $$, uuid, when, bytes, marked, time, characters, named } from './dom.js';
import * as api from './api.js';
import * as notify from './notify.js';
import { Realtime } from './realtime.js';
import { Outbox } from './outbox.js';
import { Conversation, paint, download } from './chat.js';

const STATUS = { OPEN: 'Open', IN_PROGRESS: 'In progress', RESOLVED: 'Resolved', CLOSED: 'Closed' };
const EMOJI = '😀 😂 🙂 😉 😊 😍 🤔 😅 😢 😡 😮 😴 👍 👎 👏 🙏 👋 💪 🎉 ❤️ 💔 ✅ ❌ ⚠️ ❓ ❗ 📦 🚚 💳 💰 🧾 📎 📷 🔧 🔒 ⏰ 📅 📞 ✉️ 🏠 ☕ 🌟'.split(' ');
const TYPING_REFRESH_MS = 3_000, TYPING_IDLE_MS = 4_000;

export class Desk {
  constructor(me, { limits, banner, showErrors }) {
    this.me = me;
    this.limits = limits;
    this.banner = banner;
    this.showErrors = showErrors;
    this.tickets = new Map();
    this.chat = null; // the open Conversation
    this.waiting = 0; // messages in the outbox
    this.isOnline = false;
    this.typingSentAt = 0;
    this.typingTimer = null;
    this.realtime = new Realtime(() => api.token());
    this.outbox = new Outbox(me.id);
    this.cleanups = [];
  }

  // ── Lifecycle ────────────────────────────────────────────────────────────────────────────

  async open(online) {
    await this.outbox.open();
    this.wire();
    await this.countWaiting();
    if (online) await this.online(this.me);
    else this.indicate({ state: 'offline' });
    this.route();
  }

  /** Signed in (again): the list, the socket, then the outbox. */
  async online(user) {
    this.me = user;
    if (this.isOnline) return;
    this.isOnline = true;
    this.realtime.start();
    await this.loadTickets();
  }

  /** Stops everything; answers how many messages still wait in the outbox. */
  async close() {
    this.realtime.stop();
    for (const cleanup of this.cleanups) cleanup();
    const waiting = (await this.outbox.all()).length;
    this.outbox.close();
    $('#tickets').replaceChildren();
    $('#chat').hidden = true;
    $('#chat-none').hidden = false;
    notify.title(0);
    return waiting;
  }

  listen(target, event, handler, options) {
    target.addEventListener(event, handler, options);
    this.cleanups.push(() => target.removeEventListener(event, handler, options));
  }

  wire() {
    const rt = this.realtime;
    this.listen(rt, 'state', event => this.indicate(event.detail));
    this.listen(rt, 'open', () => { this.outbox.flush(rt); this.loadTickets(); });
    this.listen(rt, 'frame', event => this.frame(event.detail));
    this.listen(rt, 'closed', event => this.closedBecause(event.detail));
    this.listen(rt, 'wake', () => { if (rt.isOpen) this.loadTickets(); });
    this.listen(this.outbox, 'queued', event => this.queued(event.detail.item));
    this.listen(this.outbox, 'wanted', () => this.outbox.flush(rt));
    this.listen(this.outbox, 'acked', event => this.acked(event.detail));
    this.listen(this.outbox, 'refused', event => this.refusedMessage(event.detail));
    this.listen($('#connection'), 'click', () => rt.reconnectNow());
    this.listen($('#new-ticket'), 'click', () => this.newTicket());
    this.listen($('#ticket-form'), 'submit', event => this.submitTicket(event));
    this.listen($('#ticket-cancel'), 'click', () => $('#new-ticket-dialog').close());
    this.listen($('#ticket-form'), 'input', () => this.countTicket());
    this.listen($('#back'), 'click', () => { location.hash = ''; });
    this.listen(window, 'hashchange', () => this.route());
    this.listen($('#composer'), 'submit', event => { event.preventDefault(); this.send(); });
    this.listen($('#composer-text'), 'keydown', event => this.composerKey(event));
    this.listen($('#composer-text'), 'input', () => this.typed());
    this.listen($('#composer-text'), 'blur', () => this.stopTyping());
    this.listen($('#composer-text'), 'paste', event => this.pasted(event));
    this.listen($('#attach'), 'click', () => $('#file-input').click());
    this.listen($('#file-input'), 'change', event => { this.attach([...event.target.files]); event.target.value = ''; });
    this.listen($('#chat'), 'dragover', event => { if (this.chat && event.dataTransfer?.types.includes('Files')) { event.preventDefault(); $('#drop-hint').hidden = false; } });
    this.listen($('#chat'), 'dragleave', event => { if (!$('#chat').contains(event.relatedTarget)) $('#drop-hint').hidden = true; });
    this.listen($('#chat'), 'drop', event => { event.preventDefault(); $('#drop-hint').hidden = true; this.attach([...event.dataTransfer.files]); });
    this.listen($('#log'), 'scroll', () => this.scrolled());
    this.listen($('#messages'), 'click', event => this.messageClick(event));
    this.listen($('#emoji-button'), 'click', () => this.toggleEmoji());
    this.listen($('#emoji'), 'click', event => this.pickEmoji(event));
    this.listen($('#emoji'), 'keydown', event => { if (event.key === 'Escape') this.toggleEmoji(false); });
    this.listen($('#search-button'), 'click', () => this.toggleSearch());
    this.listen($('#chat-search'), 'submit', event => { event.preventDefault(); this.search(); });
    this.listen($('#search-results'), 'click', event => this.searchClick(event));
    this.listen($('#status-button'), 'click', () => this.statusClick());
    this.listen($('#rating-send'), 'click', () => this.sendRating());
    this.listen(document, 'visibilitychange', () => { if (document.visibilityState === 'visible') this.readOpenChat(); });
    this.listen(window, 'focus', () => this.readOpenChat());
    $('#emoji').replaceChildren(...EMOJI.map(emoji => el('button', { type: 'button', class: 'emoji-choice', 'aria-label': emoji }, emoji)));
    $('.stars', $('#rating')).replaceChildren(...[1, 2, 3, 4, 5].map(score =>
      el('button', { type: 'button', role: 'radio', 'aria-checked': 'false', 'aria-label': `${score} of 5`, dataset: { score }, onclick: () => this.pickScore(score) }, '★')));
  }

  // ── Connection ───────────────────────────────────────────────────────────────────────────

  indicate({ state, retryAt }) {
    this.connection = state;
    const node = $('#connection');
    node.dataset.state = state;
    const waiting = this.waiting ? ` · ${this.waiting === 1 ? '1 message' : `${this.waiting} messages`} waiting to be sent` : '';
    clearInterval(this.countdown);
    const label = () => {
      if (state === 'open') return 'Connected' + waiting;
      if (state === 'connecting') return 'Connecting…' + waiting;
      const seconds = retryAt ? Math.max(0, Math.ceil((retryAt - Date.now()) / 1000)) : null;
      return `Offline${seconds ? ` — retrying in ${seconds} s` : ''}${waiting}`;
    };
    $('.label', node).textContent = label();
    node.title = state === 'open' ? 'Connected to the server' : 'Not connected: click to try now';
    if (state === 'offline' && retryAt) this.countdown = setInterval(() => { $('.label', node).textContent = label(); }, 1000);
  }

  async countWaiting() {
    this.waiting = (await this.outbox.all()).length;
    this.indicate({ state: this.connection ?? this.realtime.state });
  }

  closedBecause({ code, reason }) {
    // 4001/1008-style closes for an expired or ended login: the next connect refreshes first.
    if (reason && /log(ged)? ?out|token/i.test(reason)) api.refresh();
  }

  // ── Tickets ──────────────────────────────────────────────────────────────────────────────

  async loadTickets() {
    let page;
    try { page = await api.tickets(); } catch (error) { if (error.code !== 'OFFLINE') this.banner(error.sentence); return; }
    this.tickets = new Map(page.items.map(ticket => [ticket.id, ticket]));
    for (const ticket of page.items) {
      if (ticket.status !== 'CLOSED') this.realtime.join(ticket.id, ticket.lastMessage?.seq ?? 0);
    }
    this.renderList();
    this.route();
  }

  renderList() {
    const sorted = [...this.tickets.values()].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
    $('#tickets').replaceChildren(...sorted.map(ticket => this.ticketItem(ticket)));
    $('#tickets-empty').hidden = sorted.length > 0;
    const unread = sorted.reduce((sum, ticket) => sum + (ticket.unreadCount || 0), 0);
    notify.title(unread);
  }

  ticketItem(ticket) {
    const open = this.chat?.ticket.id === ticket.id;
    const last = ticket.lastMessage;
    const preview = last ? `${last.sender.id === this.me.id ? 'You: ' : ''}${last.message || last.attachment?.fileName || ''}` : ticket.description;
    const agent = ticket.assignedAgent ? named(ticket.assignedAgent) : 'Waiting for an agent';
    const unread = ticket.unreadCount > 0 ? el('span', { class: 'unread', 'aria-label': `${ticket.unreadCount} unread` }, String(ticket.unreadCount)) : null;
    return el('li', {},
      el('a', { href: `#/tickets/${ticket.id}`, class: `ticket${open ? ' open' : ''}`, 'aria-current': open ? 'true' : null },
        el('span', { class: 'ticket-top' },
          el('span', { class: 'subject' }, ticket.subject),
          el('time', { datetime: ticket.updatedAt }, when(new Date(ticket.updatedAt)))),
        el('span', { class: 'ticket-mid' },
          el('span', { class: `status status-${ticket.status}` }, STATUS[ticket.status] ?? ticket.status),
          el('span', { class: 'agent' }, agent, ticket.assignedAgent?.isOnline ? el('span', { class: 'online', 'aria-label': ' (online)' }, ' ●') : null),
          el('span', { class: 'id' }, `#${ticket.id}`)),
        el('span', { class: 'ticket-bottom' }, el('span', { class: 'preview', dir: 'auto' }, preview), unread)));
  }

  upsert(ticket) {
    const known = this.tickets.get(ticket.id);
    if (this.chat?.ticket.id === ticket.id && this.isReading()) ticket = { ...ticket, unreadCount: 0 };
    this.tickets.set(ticket.id, ticket);
    if (!known && ticket.status !== 'CLOSED') this.realtime.join(ticket.id, ticket.lastMessage?.seq ?? 0);
    if (this.chat?.ticket.id === ticket.id) { this.chat.ticket = ticket; this.renderHead(); }
    this.renderList();
  }

  newTicket() {
    const form = $('#ticket-form');
    form.reset();
    this.showErrors(form, []);
    this.countTicket();
    $('#new-ticket-dialog').showModal();
    form.elements.subject.focus();
  }

  countTicket() {
    const form = $('#ticket-form');
    for (const [name, limit] of [['subject', this.limits.subjectMaxLength ?? 200], ['description', this.limits.descriptionMaxLength ?? 10000]]) {
      const length = characters(form.elements[name].value);
      const counter = $(`[data-counter="${name}"]`, form);
      counter.textContent = length > limit * 0.8 ? `${length} / ${limit}` : '';
      counter.classList.toggle('over', length > limit);
    }
  }

  async submitTicket(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const fields = Object.fromEntries(new FormData(form));
    const errors = [];
    const subjectLimit = this.limits.subjectMaxLength ?? 200, descriptionLimit = this.limits.descriptionMaxLength ?? 10000;
    if (!fields.subject.trim()) errors.push({ field: 'subject', sentence: 'A few words on what it is about.' });
    else if (characters(fields.subject.trim()) > subjectLimit) errors.push({ field: 'subject', sentence: `At most ${subjectLimit} characters.` });
    if (!fields.description.trim()) errors.push({ field: 'description', sentence: 'Tell us what happened.' });
    else if (characters(fields.description.trim()) > descriptionLimit) errors.push({ field: 'description', sentence: `At most ${descriptionLimit} characters.` });
    if (errors.length) return this.showErrors(form, errors);
    const button = $('button[type=submit]', form);
    button.disabled = true;
    try {
      const ticket = await api.openTicket({ subject: fields.subject.trim(), description: fields.description.trim(), category: fields.category });
      $('#new-ticket-dialog').close();
      this.upsert(ticket);
      location.hash = `#/tickets/${ticket.id}`;
    } catch (error) {
      this.showErrors(form, [{ field: error.field, sentence: error.sentence }]);
    } finally {
      button.disabled = false;
    }
  }

  // ── Opening a conversation ───────────────────────────────────────────────────────────────

  route() {
    const id = Number(/^#\/tickets\/(\d+)$/.exec(location.hash)?.[1]);
    document.body.dataset.view = id ? 'chat' : 'list';
    if (!id) {
      if (this.chat) this.closeChat();
      return;
    }
    if (this.chat?.ticket.id === id) return;
    const ticket = this.tickets.get(id);
    if (ticket) this.openChat(ticket);
    else if (this.isOnline && this.tickets.size) api.ticket(id).then(found => { this.upsert(found); this.openChat(found); }).catch(error => { this.banner(error.sentence); location.hash = ''; });
  }

  closeChat() {
    this.stopTyping();
    this.chat = null;
    $('#chat').hidden = true;
    $('#chat-none').hidden = false;
    this.renderList();
  }

  async openChat(ticket) {
    this.stopTyping();
    const chat = new Conversation(ticket, this.me);
    chat.onchange = () => this.chat === chat && paint(chat);
    this.chat = chat;
    for (const item of await this.outbox.all()) if (item.ticketId === ticket.id) chat.pending.set(item.clientMessageId, item);
    $('#chat-none').hidden = true;
    $('#chat').hidden = false;
    $('#chat-search').hidden = true;
    $('#search-button').setAttribute('aria-expanded', 'false');
    $('#search-results').replaceChildren();
    $('#uploads').replaceChildren();
    $('#composer-error').textContent = '';
    this.renderHead();
    this.renderList();
    paint(chat, { keepBottom: true });
    try {
      await chat.older();
    } catch (error) {
      if (error.code !== 'OFFLINE') this.banner(error.sentence);
    }
    if (this.chat !== chat) return;
    paint(chat, { keepBottom: true });
    if (ticket.status !== 'CLOSED') this.realtime.join(ticket.id, chat.lastSeq);
    this.readOpenChat();
    if (matchMedia('(min-width: 48rem)').matches || document.body.dataset.view === 'chat') $('#composer-text').focus({ preventScroll: true });
  }

  renderHead() {
    const ticket = this.chat.ticket;
    $('#chat-subject').textContent = ticket.subject;
    const agent = ticket.assignedAgent
      ? `${named(ticket.assignedAgent)}${ticket.assignedAgent.isOnline ? ' (online)' : ''}`
      : 'waiting for an agent';
    $('#chat-meta').textContent = `#${ticket.id} · ${STATUS[ticket.status] ?? ticket.status} · ${agent}`;
    const button = $('#status-button');
    button.dataset.confirm = '';
    button.hidden = ticket.status === 'CLOSED';
    button.textContent = ticket.status === 'RESOLVED' ? 'Reopen' : 'Close ticket';
    const closed = ticket.status === 'CLOSED';
    $('#composer-text').disabled = closed;
    $('#send').disabled = closed;
    $('#attach').disabled = closed;
    $('#composer-text').placeholder = closed ? 'This ticket is closed. Open a new one if you need more help.' : ticket.status === 'RESOLVED' ? 'Write to reopen the ticket' : 'Write a message';
    this.renderRating();
  }

  /** The chat is on screen and the page in front: what arrives is read. */
  isReading() {
    return this.chat && document.visibilityState === 'visible' && document.hasFocus() && (document.body.dataset.view === 'chat' || matchMedia('(min-width: 48rem)').matches);
  }

  readOpenChat() {
    const chat = this.chat;
    if (!chat || !this.isReading()) return;
    const seq = chat.lastSeq;
    const ticket = this.tickets.get(chat.ticket.id);
    // Marks only move forward, so a mark already sent for this seq need not go again.
    if (seq > (chat.readSent ?? 0) && (ticket?.unreadCount || chat.latestFromOthers() > (chat.readSent ?? 0))) {
      if (!this.realtime.send({ type: 'MARK_READ', ticketId: chat.ticket.id, upToSeq: seq })) return;
      chat.readSent = seq;
      if (ticket?.unreadCount) {
        this.tickets.set(ticket.id, { ...ticket, unreadCount: 0 });
        this.renderList();
      }
    }
  }

  async scrolled() {
    const chat = this.chat;
    if (!chat || $('#log').scrollTop > 80 || !chat.hasMore || chat.loading) return;
    paint(chat);
    try { await chat.older(); } catch { return; }
    if (this.chat === chat) paint(chat, { anchor: 'top' });
  }

  // ── Frames ───────────────────────────────────────────────────────────────────────────────

  frame(frame) {
    const chat = this.chat;
    const here = chat && frame.ticketId === chat.ticket.id;
    switch (frame.type) {
      case 'RECEIVE_MESSAGE': return this.received(frame.message);
      case 'ROOM_JOINED':
        if (here) this.presence(frame.participants);
        return;
      case 'TYPING_START':
      case 'TYPING_STOP':
        if (!here || frame.user.id === this.me.id || frame.internal) return;
        if (frame.type === 'TYPING_START') chat.startTyping(frame.user); else chat.stopTyping(frame.user);
        return paint(chat);
      case 'MESSAGES_DELIVERED':
      case 'MESSAGES_READ':
        if (!here) return;
        chat.marked(frame);
        return paint(chat);
      case 'TICKET_CREATED':
      case 'TICKET_UPDATED':
        return this.upsert(frame.ticket);
      case 'TICKET_STATUS_CHANGED':
      case 'AGENT_ASSIGNED': {
        const ticket = this.tickets.get(frame.ticketId);
        if (!ticket) return;
        const changed = frame.type === 'AGENT_ASSIGNED' ? { assignedAgent: frame.agent } : { status: frame.status };
        this.upsert({ ...ticket, ...changed, updatedAt: new Date().toISOString() });
        if (frame.type === 'TICKET_STATUS_CHANGED' && (frame.status === 'RESOLVED' || frame.status === 'CLOSED')) {
          api.ticket(frame.ticketId).then(fresh => this.upsert(fresh)).catch(() => {});
        }
        return;
      }
      case 'TICKET_DELETED':
        this.tickets.delete(frame.ticketId);
        this.realtime.leave(frame.ticketId);
        if (here) { this.banner(`Ticket #${frame.ticketId} was deleted by the support team.`); location.hash = ''; }
        return this.renderList();
      case 'TICKET_MERGED':
        this.tickets.delete(frame.ticketId);
        this.realtime.leave(frame.ticketId);
        if (here) {
          this.banner(`Ticket #${frame.ticketId} was joined with #${frame.intoTicketId}: the conversation goes on there.`);
          this.chat = null;
          location.hash = `#/tickets/${frame.intoTicketId}`;
        }
        return this.loadTickets();
      case 'USER_ONLINE':
      case 'USER_OFFLINE':
        return this.presence([{ ...frame.user, isOnline: frame.type === 'USER_ONLINE' }]);
      case 'PRESENCE':
        return this.presence(frame.users);
      case 'ERROR':
        if (!frame.ref) this.banner(new api.ApiError(0, frame.code, frame.message).sentence);
        return;
    }
  }

  received(message) {
    if (message.internal) return;
    const ticket = this.tickets.get(message.ticketId);
    const mine = message.sender.id === this.me.id;
    const chat = this.chat?.ticket.id === message.ticketId ? this.chat : null;
    if (chat) {
      chat.stopTyping(message.sender);
      chat.add([message]);
      paint(chat);
      this.realtime.send({ type: 'MARK_DELIVERED', ticketId: message.ticketId, upToSeq: message.seq });
      if (!mine) $('#announcer').append(el('p', {}, `${named(message.sender)}: ${message.message || message.attachment?.fileName || ''}`));
    }
    if (ticket) {
      const unseen = !mine && message.senderType !== 'SYSTEM' && !(chat && this.isReading());
      this.tickets.set(ticket.id, {
        ...ticket, lastMessage: message, updatedAt: message.timestamp,
        messageCount: ticket.messageCount + 1, unreadCount: (ticket.unreadCount || 0) + (unseen ? 1 : 0),
      });
      this.renderList();
    }
    if (chat) this.readOpenChat();
    if (!mine && message.senderType === 'AGENT') {
      notify.reply({
        title: `${named(message.sender)} answered`, body: message.message || message.attachment?.fileName || '',
        tag: `ticket-${message.ticketId}`, onOpen: () => { location.hash = `#/tickets/${message.ticketId}`; },
      });
    }
  }

  presence(users) {
    let changed = false;
    for (const [id, ticket] of this.tickets) {
      const agent = ticket.assignedAgent && users.find(user => user.id === ticket.assignedAgent.id);
      if (agent && agent.isOnline !== ticket.assignedAgent.isOnline) {
        this.tickets.set(id, { ...ticket, assignedAgent: { ...ticket.assignedAgent, isOnline: agent.isOnline } });
        changed = true;
      }
    }
    if (!changed) return;
    if (this.chat) { this.chat.ticket = this.tickets.get(this.chat.ticket.id) ?? this.chat.ticket; this.renderHead(); }
    this.renderList();
  }

  // ── Writing ──────────────────────────────────────────────────────────────────────────────

  composerKey(event) {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.send();
    } else if (event.key === 'Escape') {
      this.toggleEmoji(false);
    }
  }

  typed() {
    const input = $('#composer-text');
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight + 2, 160)}px`;
    input.classList.toggle('tall', input.scrollHeight + 2 > 160);
    $('#composer-error').textContent = '';
    const limit = this.limits.messageMaxLength ?? 8000;
    const length = characters(input.value.trim());
    if (length > limit) $('#composer-error').textContent = `The message is ${length} characters; at most ${limit} go in one.`;
    if (!this.chat || !input.value.trim()) return this.stopTyping();
    const now = Date.now();
    if (now - this.typingSentAt > TYPING_REFRESH_MS) {
      this.typingSentAt = now;
      this.typingTicket = this.chat.ticket.id;
      this.realtime.send({ type: 'TYPING_START', ticketId: this.chat.ticket.id });
    }
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping() {
    clearTimeout(this.typingTimer);
    if (this.typingSentAt && this.typingTicket) this.realtime.send({ type: 'TYPING_STOP', ticketId: this.typingTicket });
    this.typingSentAt = 0;
    this.typingTicket = null;
  }

  async send() {
    const input = $('#composer-text');
    const text = input.value.trim();
    const chat = this.chat;
    if (!chat || !text) return;
    const limit = this.limits.messageMaxLength ?? 8000;
    if (characters(text) > limit) { $('#composer-error').textContent = `The message is ${characters(text)} characters; at most ${limit} go in one.`; return; }
    this.stopTyping();
    input.value = '';
    this.typed();
    await this.queue({ ticketId: chat.ticket.id, clientMessageId: uuid(), message: text, messageType: 'TEXT' });
  }

  /** Into the outbox first (so nothing is lost), then on screen, then out. */
  async queue(item) {
    try {
      await this.outbox.add(item);
    } catch {
      $('#composer-error').textContent = 'This browser would not keep the message (its storage is full or switched off); it was not sent.';
      return;
    }
    this.outbox.flush(this.realtime);
  }

  queued(item) {
    if (this.chat?.ticket.id === item.ticketId) {
      this.chat.pending.set(item.clientMessageId, item);
      paint(this.chat, { keepBottom: true });
    }
    this.countWaiting();
  }

  acked({ clientMessageId, ack }) {
    const chat = this.chat;
    if (chat?.ticket.id === ack.ticketId) {
      const item = chat.pending.get(clientMessageId) ?? { clientMessageId, message: ack.message, messageType: 'TEXT' };
      chat.acknowledged(item, ack);
      paint(chat);
    }
    const ticket = this.tickets.get(ack.ticketId);
    const stored = chat?.messages.get(ack.seq);
    if (ticket) this.tickets.set(ticket.id, { ...ticket, updatedAt: ack.timestamp, unreadCount: 0, lastMessage: stored ?? ticket.lastMessage });
    this.renderList();
    this.countWaiting();
  }

  refusedMessage({ clientMessageId, item, error }) {
    const sentence = new api.ApiError(0, error.code, error.message).sentence;
    if (this.chat?.ticket.id === item.ticketId) {
      this.chat.pending.delete(clientMessageId);
      this.chat.refused.set(clientMessageId, { item, sentence });
      paint(this.chat, { keepBottom: true });
    } else {
      this.banner(`A message to ticket #${item.ticketId} was not sent: ${sentence}`);
    }
    this.countWaiting();
  }

  messageClick(event) {
    const edit = event.target.closest('[data-edit]'), discard = event.target.closest('[data-discard]');
    const file = event.target.closest('[data-download]');
    if (edit || discard) {
      const id = (edit ?? discard).dataset.edit ?? (edit ?? discard).dataset.discard;
      const refused = this.chat.refused.get(id);
      this.chat.refused.delete(id);
      if (edit && refused) { $('#composer-text').value = refused.item.message; this.typed(); $('#composer-text').focus(); }
      paint(this.chat);
    } else if (file) {
      download(Number(file.dataset.download), file.dataset.name).catch(error => this.banner(error.sentence ?? String(error)));
    }
  }

  // ── Attachments ──────────────────────────────────────────────────────────────────────────

  pasted(event) {
    const files = [...(event.clipboardData?.files ?? [])];
    if (files.length) { event.preventDefault(); this.attach(files); }
  }

  attach(files) {
    const chat = this.chat;
    if (!chat || chat.ticket.status === 'CLOSED') return;
    for (const file of files) this.uploadOne(chat, file);
  }

  async uploadOne(chat, file) {
    const limit = this.limits.attachmentBytes ?? 10 * 1024 * 1024;
    const name = file.name || 'pasted image.png';
    const bar = el('progress', { max: 1, value: 0, 'aria-label': `Uploading ${name}` });
    const dismiss = el('button', { type: 'button', class: 'text-button', hidden: true, onclick: () => row.remove() }, 'Dismiss');
    const note = el('span', { class: 'upload-note' });
    const row = el('p', { class: 'upload' }, el('span', { class: 'upload-name' }, `${name} (${bytes(file.size)})`), ' ', bar, ' ', note, ' ', dismiss);
    $('#uploads').append(row);
    const fail = sentence => { bar.remove(); note.textContent = sentence; row.classList.add('failed'); dismiss.hidden = false; };
    if (file.size > limit) return fail(`Not sent: the file is ${bytes(file.size)}; the server takes files up to ${bytes(limit)}.`);
    if (file.size === 0) return fail('Not sent: the file is empty.');
    if (!this.realtime.isOpen) return fail('Not sent: files go only while connected. Try again when the indicator says Connected.');
    try {
      const attachment = await api.upload(chat.ticket.id, file, share => { bar.value = share; });
      row.remove();
      const image = attachment.contentType.startsWith('image/');
      await this.queue({ ticketId: chat.ticket.id, clientMessageId: uuid(), message: '', messageType: image ? 'IMAGE' : 'FILE', attachment });
    } catch (error) {
      const more = error.code === 'RATE_LIMITED' && error.retryAfter ? ` Try again in ${Math.ceil(error.retryAfter / 60)} min.` : '';
      fail(`Not sent: ${error.status === 413 ? `the file is larger than the server takes (${bytes(limit)}).` : error.sentence}${more}`);
    }
  }

  // ── Emoji ────────────────────────────────────────────────────────────────────────────────

  toggleEmoji(open = $('#emoji').hidden) {
    $('#emoji').hidden = !open;
    $('#emoji-button').setAttribute('aria-expanded', String(open));
    if (open) $('#emoji button').focus();
    else if (document.activeElement?.closest?.('#emoji')) $('#composer-text').focus();
  }

  pickEmoji(event) {
    const choice = event.target.closest('.emoji-choice');
    if (!choice) return;
    const input = $('#composer-text');
    const start = input.selectionStart ?? input.value.length, end = input.selectionEnd ?? start;
    input.value = input.value.slice(0, start) + choice.textContent + input.value.slice(end);
    input.selectionStart = input.selectionEnd = start + choice.textContent.length;
    this.toggleEmoji(false);
    input.focus();
    this.typed();
  }

  // ── Search in the conversation ───────────────────────────────────────────────────────────

  toggleSearch() {
    const form = $('#chat-search');
    form.hidden = !form.hidden;
    $('#search-button').setAttribute('aria-expanded', String(!form.hidden));
    if (!form.hidden) $('#search-text').focus();
    else { $('#search-results').replaceChildren(); if (this.chat) { this.chat.highlight = null; paint(this.chat); } }
  }

  async search() {
    const text = $('#search-text').value.trim();
    const results = $('#search-results');
    if (!text || !this.chat) return results.replaceChildren();
    results.replaceChildren(el('li', { class: 'note' }, 'Searching…'));
    try {
      const answer = await api.search(`${text} #${this.chat.ticket.id}`);
      if (!answer.items.length) return results.replaceChildren(el('li', { class: 'note' }, `Nothing in this conversation matches “${text}”.`));
      results.replaceChildren(...answer.items.map(hit => el('li', {},
        el('button', { type: 'button', class: 'hit', dataset: { seq: hit.seq } },
          el('span', { class: 'hit-who' }, hit.sender.id === this.me.id ? 'You' : named(hit.sender), ' · ', when(new Date(hit.timestamp)), ' ', time(new Date(hit.timestamp))),
          el('span', { class: 'hit-text', dir: 'auto' }, marked(hit.snippet))))));
    } catch (error) {
      results.replaceChildren(el('li', { class: 'note' }, error.sentence));
    }
  }

  async searchClick(event) {
    const hit = event.target.closest('.hit');
    const chat = this.chat;
    if (!hit || !chat) return;
    const seq = Number(hit.dataset.seq);
    if (seq) {
      // Page back until the message is here (search hits on a ticket's subject have no seq).
      while (!chat.messages.has(seq) && chat.hasMore) { if (!(await chat.older())) break; }
      chat.highlight = seq;
    }
    paint(chat);
    $(`#messages [data-seq="${seq}"]`)?.scrollIntoView({ block: 'center' });
  }

  // ── Status and rating ────────────────────────────────────────────────────────────────────

  async statusClick() {
    const ticket = this.chat?.ticket;
    if (!ticket) return;
    const button = $('#status-button');
    const next = ticket.status === 'RESOLVED' ? 'IN_PROGRESS' : 'CLOSED';
    if (next === 'CLOSED' && button.dataset.confirm !== 'yes') {
      // A second press confirms: closing cannot be undone by a customer.
      button.dataset.confirm = 'yes';
      button.textContent = 'Really close it?';
      setTimeout(() => { if (button.dataset.confirm === 'yes') this.renderHead(); }, 5_000);
      return;
    }
    button.disabled = true;
    try {
      this.upsert(await api.setStatus(ticket.id, next));
    } catch (error) {
      this.banner(error.sentence);
    } finally {
      button.disabled = false;
    }
  }

  renderRating() {
    const ticket = this.chat.ticket;
    const section = $('#rating'), rated = $('#rated');
    const done = ticket.status === 'RESOLVED' || ticket.status === 'CLOSED';
    section.hidden = !done || ticket.rating != null;
    rated.hidden = !ticket.rating;
    if (ticket.rating) rated.textContent = `You rated this ${'★'.repeat(ticket.rating.score)}${'☆'.repeat(5 - ticket.rating.score)} — thank you.`;
    if (!section.hidden && !this.asked?.has(ticket.id) && (ticket.ratingAsks ?? 0) < 2) {
      (this.asked ??= new Set()).add(ticket.id);
      api.ratingAsked(ticket.id).catch(() => {});
    }
  }

  pickScore(score) {
    this.score = score;
    for (const star of $$('.stars button', $('#rating'))) {
      star.setAttribute('aria-checked', String(Number(star.dataset.score) === score));
      star.classList.toggle('on', Number(star.dataset.score) <= score);
    }
    $('#rating-send').disabled = false;
  }

  async sendRating() {
    const ticket = this.chat?.ticket;
    if (!ticket || !this.score) return;
    const error = $('.form-error', $('#rating'));
    error.textContent = '';
    try {
      this.upsert(await api.rate(ticket.id, this.score, $('#rating-comment').value.trim()));
      $('#rating-comment').value = '';
    } catch (failure) {
      if (failure.status === 409) this.upsert(await api.ticket(ticket.id));
      else error.textContent = failure.sentence;
    }
  }
}

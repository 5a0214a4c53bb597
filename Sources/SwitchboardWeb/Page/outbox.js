// Messages written but not yet acknowledged, kept in IndexedDB so that a message written
// offline survives a closed tab or a reload and goes out once, in order, with the
// clientMessageId it was given when written (the server stores a repeat once). One tab at a
// time sends (a Web Lock); the others hear what happened on a BroadcastChannel.
import { withLock } from './dom.js';

const STORE = 'outbox';

function request(idbRequest) {
  return new Promise((resolve, reject) => {
    idbRequest.onsuccess = () => resolve(idbRequest.result);
    idbRequest.onerror = () => reject(idbRequest.error);
  });
}

export class Outbox extends EventTarget {
  constructor(userId) {
    super();
    this.userId = userId;
    this.db = null;
    this.flushing = false;
    this.again = false;
    this.channel = 'BroadcastChannel' in self ? new BroadcastChannel(`switchboard-outbox-${userId}`) : null;
    if (this.channel) this.channel.onmessage = event => this.tell(event.data, false);
  }

  async open() {
    const opening = indexedDB.open(`switchboard-${this.userId}`, 1);
    opening.onupgradeneeded = () => {
      const store = opening.result.createObjectStore(STORE, { keyPath: 'order', autoIncrement: true });
      store.createIndex('clientMessageId', 'clientMessageId', { unique: true });
    };
    this.db = await request(opening);
    return this;
  }

  close() {
    this.db?.close();
    this.channel?.close();
  }

  transaction(mode) { return this.db.transaction(STORE, mode).objectStore(STORE); }

  /** Every waiting message, oldest first. */
  async all() {
    return this.db ? request(this.transaction('readonly').getAll()) : [];
  }

  /** Keeps `item` ({clientMessageId, ticketId, message, messageType, attachment?}) until acknowledged. */
  async add(item) {
    const stored = { ...item, writtenAt: new Date().toISOString() };
    stored.order = await request(this.transaction('readwrite').add(stored));
    this.tell({ kind: 'queued', item: stored });
    return stored;
  }

  async remove(clientMessageId) {
    const store = this.transaction('readwrite');
    const key = await request(store.index('clientMessageId').getKey(clientMessageId));
    if (key !== undefined) await request(store.delete(key));
  }

  /** Tells this tab's listeners and, unless it came from there, the other tabs. */
  tell(news, broadcast = true) {
    if (broadcast) this.channel?.postMessage(news);
    this.dispatchEvent(new CustomEvent(news.kind, { detail: news }));
    if (news.kind === 'queued' && !broadcast) this.dispatchEvent(new Event('wanted'));
  }

  /**
   * Sends what waits, oldest first, one at a time (each waits for its ACK, so the order holds),
   * while `realtime` is open. A refusal (a closed ticket, a blocked word) takes the message out
   * with the server's sentence; a rate limit or a lost socket leaves it for the next flush.
   */
  async flush(realtime) {
    if (this.flushing) { this.again = true; return; }
    this.flushing = true;
    try {
      await withLock(`switchboard-outbox-${this.userId}`, async () => {
        do {
          this.again = false;
          for (const item of await this.all()) {
            if (!realtime.isOpen) return;
            const frame = { ticketId: item.ticketId, clientMessageId: item.clientMessageId, message: item.message, messageType: item.messageType };
            if (item.attachment) frame.attachmentId = item.attachment.id;
            let answer;
            try { answer = await realtime.sendMessage(frame); } catch { return; }
            if (answer.type === 'ERROR' && (answer.code === 'RATE_LIMITED' || answer.code === 'INTERNAL')) {
              setTimeout(() => this.flush(realtime), 2_000);
              return;
            }
            await this.remove(item.clientMessageId);
            if (answer.type === 'ACK') this.tell({ kind: 'acked', clientMessageId: item.clientMessageId, ack: answer });
            else this.tell({ kind: 'refused', clientMessageId: item.clientMessageId, item, error: { code: answer.code, message: answer.message } });
          }
        } while (this.again);
      });
    } finally {
      this.flushing = false;
    }
  }
}

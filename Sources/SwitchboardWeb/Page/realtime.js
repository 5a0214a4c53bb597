// The WebSocket of the contract, kept open: reconnect with full jitter (a random wait between
// nothing and a doubling ceiling, so a thousand pages coming back after a restart do not arrive
// together), every open room joined again with `sinceSeq` = the last seq seen, and a tab woken
// from sleep or back online checked at once rather than trusted.

const FLOOR_MS = 500, CEILING_MS = 30_000, WAKE_CHECK_MS = 5_000;

export class Realtime extends EventTarget {
  /** `token()` gives a fresh access token, or null while signed out. */
  constructor(token) {
    super();
    this.token = token;
    this.socket = null;
    this.state = 'offline';
    this.rooms = new Map(); // ticketId → highest seq seen
    this.attempt = 0;
    this.retryTimer = null;
    this.running = false;
    this.waiters = new Map(); // clientMessageId → {resolve, reject, timer}
    this.lastFrameAt = Date.now();
    this.unwatch = null;
  }

  get isOpen() { return this.state === 'open'; }

  start() {
    this.running = true;
    this.unwatch ??= this.watchSleep();
    if (!this.socket) this.connect();
  }

  stop() {
    this.running = false;
    this.unwatch?.();
    this.unwatch = null;
    clearTimeout(this.retryTimer);
    this.rooms.clear();
    this.socket?.close(1000, 'signed out');
    this.socket = null;
    this.setState('offline');
  }

  setState(state, detail = {}) {
    this.state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: { state, ...detail } }));
  }

  async connect() {
    clearTimeout(this.retryTimer);
    if (!this.running) return;
    this.setState('connecting', { attempt: this.attempt });
    const bearer = await this.token();
    if (!bearer) return this.retry();
    const url = new URL('/ws', location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('access_token', bearer);
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      if (socket !== this.socket) return;
      this.attempt = 0;
      this.lastFrameAt = Date.now();
      this.setState('open');
      for (const [ticketId, seq] of this.rooms) this.sendJoin(ticketId, seq);
      this.dispatchEvent(new Event('open'));
    };
    socket.onmessage = event => {
      if (socket !== this.socket) return;
      this.lastFrameAt = Date.now();
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      this.settle(frame);
      if (frame.type === 'RECEIVE_MESSAGE') this.seen(frame.ticketId, frame.message.seq);
      this.dispatchEvent(new CustomEvent('frame', { detail: frame }));
    };
    socket.onclose = event => {
      if (socket !== this.socket) return;
      this.socket = null;
      for (const [id, waiter] of this.waiters) { clearTimeout(waiter.timer); waiter.reject(new Error('closed')); this.waiters.delete(id); }
      this.dispatchEvent(new CustomEvent('closed', { detail: { code: event.code, reason: event.reason } }));
      this.retry();
    };
  }

  retry() {
    if (!this.running) return;
    const ceiling = Math.min(CEILING_MS, FLOOR_MS * 2 ** this.attempt);
    const wait = Math.random() * ceiling;
    this.attempt += 1;
    this.setState('offline', { retryAt: Date.now() + wait });
    this.retryTimer = setTimeout(() => this.connect(), wait);
  }

  /** Now rather than at the next jittered try (a click on "retry", the network is back). */
  reconnectNow() {
    if (this.socket || !this.running) return;
    this.attempt = 0;
    this.connect();
  }

  send(frame) {
    if (!this.isOpen || this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  join(ticketId, sinceSeq = 0) {
    this.rooms.set(ticketId, Math.max(sinceSeq, this.rooms.get(ticketId) ?? 0));
    if (this.isOpen) this.sendJoin(ticketId, this.rooms.get(ticketId));
  }

  sendJoin(ticketId, seq) {
    this.send(seq > 0 ? { type: 'JOIN_ROOM', ticketId, sinceSeq: seq } : { type: 'JOIN_ROOM', ticketId });
  }

  leave(ticketId) {
    if (this.rooms.delete(ticketId)) this.send({ type: 'LEAVE_ROOM', ticketId });
  }

  seen(ticketId, seq) {
    if (this.rooms.has(ticketId) && seq > this.rooms.get(ticketId)) this.rooms.set(ticketId, seq);
  }

  /** Sends a SEND_MESSAGE and waits for its ACK (or the ERROR that names it by `ref`). */
  sendMessage(frame, timeoutMs = 15_000) {
    return new Promise((resolve, reject) => {
      if (!this.send({ ...frame, type: 'SEND_MESSAGE', ref: frame.clientMessageId })) return reject(new Error('offline'));
      const timer = setTimeout(() => {
        this.waiters.delete(frame.clientMessageId);
        reject(new Error('no answer'));
      }, timeoutMs);
      this.waiters.set(frame.clientMessageId, { resolve, reject, timer });
    });
  }

  settle(frame) {
    const id = frame.type === 'ACK' ? frame.clientMessageId : frame.type === 'ERROR' ? frame.ref : null;
    const waiter = id && this.waiters.get(id);
    if (!waiter) return;
    clearTimeout(waiter.timer);
    this.waiters.delete(id);
    waiter.resolve(frame);
  }

  /**
   * A laptop lid closed for an hour leaves a socket that looks open and is not. When the timers
   * show a gap (the tab slept), the tab comes back into view, or the network returns: rejoin
   * every room with its seq (the server sends what was missed) and expect an answer soon;
   * without one, drop the socket and reconnect.
   */
  watchSleep() {
    let last = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      if (now - last > WAKE_CHECK_MS * 3) this.wake('slept');
      last = now;
    }, WAKE_CHECK_MS);
    const visible = () => { if (document.visibilityState === 'visible') this.wake('visible'); };
    const online = () => this.wake('online');
    document.addEventListener('visibilitychange', visible);
    addEventListener('online', online);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', visible);
      removeEventListener('online', online);
    };
  }

  wake(why) {
    if (!this.running) return;
    this.dispatchEvent(new CustomEvent('wake', { detail: why }));
    if (!this.socket) return this.reconnectNow();
    if (!this.isOpen) return;
    if (this.rooms.size === 0) {
      // Nothing to ask that proves the socket alive: after sleep or a network change, start over.
      if (why !== 'visible') this.abandon();
      return;
    }
    const asked = Date.now();
    for (const [ticketId, seq] of this.rooms) this.sendJoin(ticketId, seq);
    setTimeout(() => { if (this.isOpen && this.lastFrameAt < asked) this.abandon(); }, 5_000);
  }

  /** Drops a socket that no longer answers (its close may never come) and connects anew. */
  abandon() {
    const socket = this.socket;
    if (!socket) return;
    socket.onclose({ code: 4000, reason: 'no answer' });
    socket.close(4000, 'no answer');
  }
}

// The contract's REST calls. The access token lives in this module's memory only. The refresh
// token is an HttpOnly cookie the page never sees: the server sets it when asked with
// `X-Switchboard-Session: cookie`, and reads it on `POST /api/auth/refresh` (the same header is
// the guard against other sites' requests). Refreshes are serialised across tabs with a Web
// Lock: the cookie rotates on each, and two tabs sending the same one would look like a theft.
import { withLock } from './dom.js';

const SESSION = { 'X-Switchboard-Session': 'cookie' };

export class ApiError extends Error {
  constructor(status, code, message, retryAfter = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
    // The server names the field first: "subject: 1–200 characters".
    const named = /^([a-zA-Z]+): (.+)$/s.exec(message);
    this.field = named ? named[1] : null;
    this.sentence = sentence(named ? named[2] : message);
  }
}

/** Why `fetch` failed, for a person. */
export const OFFLINE = 'The server cannot be reached. Check your connection; it is tried again on its own.';

function sentence(text) {
  const trimmed = String(text).trim();
  if (!trimmed) return 'Something went wrong.';
  const first = trimmed[0].toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(first) ? first : first + '.';
}

async function errorOf(response) {
  let code = 'INTERNAL', message = `The server answered ${response.status}.`;
  try {
    const body = await response.json();
    if (body?.error) ({ code, message } = body.error);
  } catch { /* not the contract's error body: keep the status line */ }
  return new ApiError(response.status, code, message, Number(response.headers.get('Retry-After')) || null);
}

const listeners = { signedIn: [], signedOut: [] };
let accessToken = null, expiresAt = 0, refreshTimer = null, refreshing = null;
export let currentUser = null;

export function on(event, listener) { listeners[event].push(listener); }
const emit = (event, value) => listeners[event].forEach(listener => listener(value));

function adopt(answer) {
  accessToken = answer.accessToken;
  expiresAt = Date.now() + answer.expiresIn * 1000;
  currentUser = answer.user;
  clearTimeout(refreshTimer);
  // Renew at four fifths of the lifetime, so a socket never meets an expired token.
  refreshTimer = setTimeout(() => refresh(), Math.max(5, answer.expiresIn * 0.8) * 1000);
  emit('signedIn', answer.user);
}

function forget() {
  accessToken = null;
  currentUser = null;
  clearTimeout(refreshTimer);
}

/**
 * A new access token from the cookie: `'ok'`, `'refused'` (no sign-in: show the form) or
 * `'offline'` (try again later; the sign-in may well still hold).
 */
export function refresh() {
  refreshing ??= withLock('switchboard-refresh', async () => {
    try {
      const response = await fetch('/api/auth/refresh', { method: 'POST', headers: SESSION, credentials: 'same-origin' });
      if (response.ok) { adopt(await response.json()); return 'ok'; }
      if (response.status >= 500 || response.status === 429) return 'offline';
      forget();
      return 'refused';
    } catch {
      return 'offline';
    }
  }).finally(() => { refreshing = null; });
  return refreshing;
}

/** The access token, renewed first when it is about to expire; null when there is none. */
export async function token() {
  if (accessToken && Date.now() > expiresAt - 10_000) await refresh();
  return accessToken;
}

export async function call(method, path, body, { retry = true } = {}) {
  const headers = {};
  const bearer = await token();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'OFFLINE', OFFLINE);
  }
  if (response.status === 401 && retry && bearer) {
    const renewed = await refresh();
    if (renewed === 'ok') return call(method, path, body, { retry: false });
    if (renewed === 'refused') emit('signedOut', 'Your sign-in has ended; please sign in again.');
  }
  if (!response.ok) throw await errorOf(response);
  return response.status === 204 ? null : response.json();
}

async function signIn(path, body) {
  let response;
  try {
    response = await fetch(path, {
      method: 'POST', credentials: 'same-origin',
      headers: { ...SESSION, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'OFFLINE', OFFLINE);
  }
  if (!response.ok) throw await errorOf(response);
  adopt(await response.json());
  return currentUser;
}

export const login = (username, password) => signIn('/api/auth/login', { username, password });
export const register = fields => signIn('/api/auth/register', fields);

export async function logout() {
  try {
    const bearer = await token();
    await fetch('/api/auth/logout', {
      method: 'POST', credentials: 'same-origin',
      headers: { ...SESSION, ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}) },
    });
  } catch { /* offline: the cookie is still cleared below when the server answers next time */ }
  forget();
  emit('signedOut', null);
}

export const tickets = () => call('GET', '/api/tickets?size=100&sort=-updatedAt');
export const ticket = id => call('GET', `/api/tickets/${id}`);
export const openTicket = fields => call('POST', '/api/tickets', fields);
export const setStatus = (id, status) => call('PUT', `/api/tickets/${id}`, { status });
export const rate = (id, score, comment) => call('POST', `/api/tickets/${id}/rating`, { score, comment: comment || undefined });
export const ratingAsked = id => call('POST', `/api/tickets/${id}/rating/asked`);
export const search = (query, cursor) =>
  call('GET', `/api/search?limit=20&q=${encodeURIComponent(query)}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);

export function messages(id, { beforeSeq, afterSeq, limit = 50 } = {}) {
  const query = new URLSearchParams({ limit });
  if (beforeSeq) query.set('beforeSeq', beforeSeq);
  if (afterSeq != null) query.set('afterSeq', afterSeq);
  return call('GET', `/api/tickets/${id}/messages?${query}`);
}

/** An attachment's bytes as a Blob (the route needs the token, so no plain <img src>). */
export async function attachment(id) {
  const bearer = await token();
  let response;
  try {
    response = await fetch(`/api/attachments/${id}`, { headers: bearer ? { Authorization: `Bearer ${bearer}` } : {} });
  } catch {
    throw new ApiError(0, 'OFFLINE', OFFLINE);
  }
  if (!response.ok) throw await errorOf(response);
  return response.blob();
}

/** Uploads `file` to the ticket, telling `progress(0…1)`; the answer is the `Attachment`. */
export async function upload(ticketId, file, progress) {
  const bearer = await token();
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `/api/tickets/${ticketId}/attachments`);
    if (bearer) request.setRequestHeader('Authorization', `Bearer ${bearer}`);
    request.setRequestHeader('X-File-Name', encodeURIComponent(file.name || 'pasted image.png'));
    request.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    request.upload.onprogress = event => { if (event.lengthComputable) progress(event.loaded / event.total); };
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) return resolve(JSON.parse(request.responseText));
      let code = 'INTERNAL', message = `The server answered ${request.status}.`;
      try { ({ code, message } = JSON.parse(request.responseText).error); } catch { /* keep the status */ }
      reject(new ApiError(request.status, code, message, Number(request.getResponseHeader('Retry-After')) || null));
    };
    request.onerror = () => reject(new ApiError(0, 'OFFLINE', 'The upload was cut off: the server cannot be reached.'));
    request.send(file);
  });
}

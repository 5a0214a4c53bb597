// The customer page: sign-in, then the desk (desk.js). Boots from the refresh cookie when there
// is one; with the server out of reach it opens the desk of the customer last signed in here,
// offline, with whatever they wrote still waiting (outbox.js), and signs in again when the
// server is back.
import { $, $$, characters } from './dom.js';
import * as api from './api.js';
import * as notify from './notify.js';
import { Desk } from './desk.js';

const config = JSON.parse($('meta[name="switchboard-config"]').content || '{}');
const limits = config.limits ?? {};
const KNOWN = 'switchboard-known-user'; // id and name only: nothing secret
const embedded = new URLSearchParams(location.search).has('embed');
document.documentElement.classList.toggle('embedded', embedded);

let desk = null;

function show(view) {
  $('#signin').hidden = view !== 'signin';
  $('#desk').hidden = view !== 'desk';
  $('#bar-actions').hidden = view !== 'desk';
  if (view === 'signin') $('#connection').hidden = true;
}

export function banner(text) {
  const node = $('#banner');
  node.textContent = text ?? '';
  node.hidden = !text;
}

// ── Sign in and register ────────────────────────────────────────────────────────────────────

function selectTab(register) {
  $('#tab-login').setAttribute('aria-selected', String(!register));
  $('#tab-register').setAttribute('aria-selected', String(register));
  $('#login-form').hidden = register;
  $('#register-form').hidden = !register;
  $(register ? '#register-form [name=displayName]' : '#login-form [name=username]').focus();
}
$('#tab-login').addEventListener('click', () => selectTab(false));
$('#tab-register').addEventListener('click', () => selectTab(true));
for (const tab of $$('[role=tab]')) {
  tab.addEventListener('keydown', event => {
    if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') selectTab(tab.id === 'tab-login');
  });
}

/** Shows each error at its field (the server names it first), or under the form. */
export function showErrors(form, errors) {
  for (const node of $$('.field-error', form)) node.textContent = '';
  for (const input of $$('input, textarea, select', form)) input.removeAttribute('aria-invalid');
  $('.form-error', form).textContent = '';
  for (const { field, sentence } of errors) {
    const slot = field && $(`.field-error[data-for="${field}"]`, form);
    const input = field && form.elements[field];
    if (slot) {
      slot.textContent = sentence;
      input?.setAttribute('aria-invalid', 'true');
    } else {
      $('.form-error', form).textContent = sentence;
    }
  }
  const first = errors.find(error => error.field && form.elements[error.field]);
  if (first) form.elements[first.field].focus();
}

function checkAccount(fields, registering) {
  const errors = [];
  const [minName, maxName] = limits.usernameLength ?? [3, 32];
  const [minPassword, maxPassword] = limits.passwordLength ?? [8, 128];
  if (registering) {
    if (!fields.displayName.trim()) errors.push({ field: 'displayName', sentence: 'Tell us your name.' });
    else if (characters(fields.displayName.trim()) > (limits.displayNameMaxLength ?? 64)) errors.push({ field: 'displayName', sentence: `At most ${limits.displayNameMaxLength ?? 64} characters.` });
    if (!/^[A-Za-z0-9_.-]*$/.test(fields.username) || fields.username.length < minName || fields.username.length > maxName) {
      errors.push({ field: 'username', sentence: `${minName}–${maxName} letters, digits, _ . or -.` });
    }
    if (fields.password.length < minPassword || fields.password.length > maxPassword) {
      errors.push({ field: 'password', sentence: `${minPassword}–${maxPassword} characters.` });
    }
  } else {
    if (!fields.username.trim()) errors.push({ field: 'username', sentence: 'Your username, please.' });
    if (!fields.password) errors.push({ field: 'password', sentence: 'Your password, please.' });
  }
  return errors;
}

async function submitAccount(event, registering) {
  event.preventDefault();
  const form = event.currentTarget;
  const fields = Object.fromEntries(new FormData(form));
  const errors = checkAccount(fields, registering);
  if (errors.length) return showErrors(form, errors);
  const button = $('button[type=submit]', form);
  button.disabled = true;
  try {
    if (registering) {
      await api.register({ username: fields.username.trim(), password: fields.password, displayName: fields.displayName.trim(), email: fields.email.trim() || undefined });
    } else {
      await api.login(fields.username.trim(), fields.password);
    }
    form.reset();
    showErrors(form, []);
  } catch (error) {
    const sentence = error.code === 'UNAUTHORIZED' && !registering ? 'That username and password do not match an account.' : error.sentence;
    const retry = error.retryAfter ? ` Try again in ${error.retryAfter} s.` : '';
    showErrors(form, [{ field: error.field, sentence: sentence + retry }]);
  } finally {
    button.disabled = false;
  }
}
$('#login-form').addEventListener('submit', event => submitAccount(event, false));
$('#register-form').addEventListener('submit', event => submitAccount(event, true));

// ── Session ────────────────────────────────────────────────────────────────────────────────

api.on('signedIn', user => {
  localStorage.setItem(KNOWN, JSON.stringify({ id: user.id, displayName: user.displayName, role: user.role }));
  enter(user, true);
});

api.on('signedOut', async reason => {
  localStorage.removeItem(KNOWN);
  const waiting = desk ? await desk.close() : 0;
  desk = null;
  show('signin');
  const kept = waiting ? ` ${waiting === 1 ? 'One message is' : `${waiting} messages are`} kept here and sent when you sign in again.` : '';
  banner(reason ? reason + kept : kept.trim() || null);
  selectTab(false);
});

async function enter(user, online) {
  banner(null);
  if (user.role !== 'CUSTOMER') {
    banner(`You are signed in as ${user.displayName}, of the support team. This page is for customers: the team works in the agent console (switchboard console).`);
  }
  if (desk && desk.me.id === user.id) {
    if (online) desk.online(user);
    return;
  }
  if (desk) await desk.close();
  show('desk');
  $('#connection').hidden = false;
  desk = new Desk(user, { limits, banner, showErrors });
  await desk.open(online);
}

$('#signout').addEventListener('click', () => api.logout());

// ── Notifications and sound ────────────────────────────────────────────────────────────────

const settingsPanel = $('#settings');
$('#settings-button').addEventListener('click', () => {
  settingsPanel.hidden = !settingsPanel.hidden;
  $('#settings-button').setAttribute('aria-expanded', String(!settingsPanel.hidden));
  $('#notify-toggle').checked = notify.settings.notifications;
  $('#sound-toggle').checked = notify.settings.sound;
  notify.unlockAudio();
});
$('#notify-toggle').addEventListener('change', async event => {
  const answer = await notify.setNotifications(event.target.checked);
  event.target.checked = answer === 'granted';
  $('#notify-note').textContent = {
    denied: 'This browser blocks notifications for this page; allow them in its site settings.',
    unsupported: 'This browser does not show notifications.',
  }[answer] ?? '';
});
$('#sound-toggle').addEventListener('change', event => { notify.settings.sound = event.target.checked; });
document.addEventListener('pointerdown', () => { if (notify.settings.sound) notify.unlockAudio(); }, { once: true });

// ── Boot ───────────────────────────────────────────────────────────────────────────────────

if ('serviceWorker' in navigator && !embedded) {
  // The page's files, kept for a reload while the server is down (sw.js); never the API.
  navigator.serviceWorker.register('/sw.js').catch(() => {});
}

async function boot(attempt = 0) {
  const outcome = await api.refresh();
  if (outcome === 'ok') return; // signedIn enters the desk
  const known = JSON.parse(localStorage.getItem(KNOWN) || 'null');
  if (outcome === 'offline') {
    if (known && !desk) await enter(known, false);
    else if (!known) { show('signin'); banner(api.OFFLINE); }
    // Full jitter again: every page of a restarted server should not come back at once.
    setTimeout(() => boot(attempt + 1), Math.random() * Math.min(30_000, 1_000 * 2 ** attempt));
    return;
  }
  localStorage.removeItem(KNOWN);
  show('signin');
  if (known) banner('Please sign in again.');
  selectTab(false);
}
addEventListener('online', () => { if (!api.currentUser && localStorage.getItem(KNOWN)) boot(); });
boot();

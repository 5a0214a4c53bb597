// Telling a customer that the team answered while they look elsewhere: the browser's
// notification (permission asked only when they switch it on), a short tone made with Web Audio
// (no sound file to fetch) when the tab is hidden, and the unread count in the title. Both
// switches are kept in this browser.

const KEY = 'switchboard-notify';
let audio = null;

export const settings = {
  get notifications() { return localStorage.getItem(`${KEY}-notifications`) === 'on' && self.Notification?.permission === 'granted'; },
  get sound() { return localStorage.getItem(`${KEY}-sound`) !== 'off'; },
  set sound(on) { localStorage.setItem(`${KEY}-sound`, on ? 'on' : 'off'); if (on) unlockAudio(); },
};

export const notificationsSupported = () => 'Notification' in self;

/** Called from the switch's click: the only moment a browser lets a page ask. */
export async function setNotifications(on) {
  if (!on) { localStorage.setItem(`${KEY}-notifications`, 'off'); return 'off'; }
  if (!notificationsSupported()) return 'unsupported';
  const permission = Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
  localStorage.setItem(`${KEY}-notifications`, permission === 'granted' ? 'on' : 'off');
  return permission;
}

/** Browsers keep audio silent until a person has touched the page: the first click unlocks it. */
export function unlockAudio() {
  if (!audio && 'AudioContext' in self) audio = new AudioContext();
  audio?.resume?.();
}

function tone() {
  if (!audio) return;
  const now = audio.currentTime;
  for (const [offset, frequency] of [[0, 880], [0.12, 1320]]) {
    const oscillator = audio.createOscillator(), gain = audio.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, now + offset);
    gain.gain.exponentialRampToValueAtTime(0.15, now + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.18);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(now + offset);
    oscillator.stop(now + offset + 0.2);
  }
}

/** An agent's reply arrived: notify and sound as switched, only when this tab is not in view. */
export function reply({ title, body, tag, onOpen }) {
  if (document.visibilityState === 'visible' && document.hasFocus()) return;
  if (settings.sound && document.visibilityState === 'hidden') tone();
  if (settings.notifications) {
    const notification = new Notification(title, { body, tag, renotify: true });
    notification.onclick = () => { focus(); onOpen?.(); notification.close(); };
  }
}

export function title(unread, base = 'Support') {
  document.title = unread > 0 ? `(${unread}) ${base}` : base;
}

// The frame page: follows the channel frame/picture and draws each keyword published to it.
// It starts from the oldest retained event (since 0), so a page opened late shows the newest picture.
import { createClient } from '/tidings-client.js';
import { pictureSvg } from '/picture.js';

const settings = await (await fetch('/settings.json')).json();
const client = createClient({ url: settings.url, transport: 'sse', ...(settings.token ? { token: settings.token } : {}) });
const picture = document.getElementById('picture');
const caption = document.getElementById('keyword');
const state = document.getElementById('state');

client.subscribe(
  settings.channel,
  (event) => {
    const keyword = String(event.data?.keyword ?? '');
    picture.innerHTML = pictureSvg(keyword);
    caption.textContent = keyword; // text, never markup
  },
  { since: '0', onState: (s) => (state.textContent = s), onError: (error) => (state.textContent = `error: ${error.message}`) },
);

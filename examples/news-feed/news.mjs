// The MQTT seed's news feed on Tidings' channels: an editor publishes stories to
// news/<region>/<section>; one reader follows news/+/sport (sport, any region), another news/#
// (everything). Each line printed is "<reader> <channel> <headline>".
//   node examples/news-feed/news.mjs [--url http://localhost:8080]
// It subscribes both readers, publishes one story per region and section, prints what each
// reader got, and exits when both have everything they should.
import { parseArgs } from 'node:util';
import { createClient } from '@tidings/client';

const { values } = parseArgs({ options: { url: { type: 'string', default: process.env.TIDINGS_URL ?? 'http://localhost:8080' } } });
const token = process.env.TIDINGS_TOKEN ? { token: process.env.TIDINGS_TOKEN } : {};
const client = createClient({ url: values.url, transport: 'sse', ...token });

const REGIONS = ['europe', 'usa', 'asia'];
const SECTIONS = ['sport', 'politics', 'weather'];
const READERS = { 'sport-fan': 'news/+/sport', 'news-junkie': 'news/#' };
const stories = REGIONS.flatMap((region) => SECTIONS.map((section) => ({ channel: `news/${region}/${section}`, headline: `${section} in ${region}` })));
const expected = { 'sport-fan': stories.filter((s) => s.channel.endsWith('/sport')).length, 'news-junkie': stories.length };

const received = Object.fromEntries(Object.keys(READERS).map((reader) => [reader, 0]));
let opened = 0;
const allOpen = new Promise((resolve) => {
  for (const [reader, pattern] of Object.entries(READERS)) {
    client.subscribe(
      pattern,
      (event) => {
        received[reader]++;
        console.log(`${reader} ${event.channel} ${event.data.headline}`);
        if (Object.keys(expected).every((r) => received[r] === expected[r])) client.close();
      },
      {
        onState: (state) => state === 'open' && ++opened === Object.keys(READERS).length && resolve(),
        onError: (error) => console.error(`${reader}: ${error.message}`),
      },
    );
  }
});

await allOpen;
for (const { channel, headline } of stories) await client.publish(channel, { headline });

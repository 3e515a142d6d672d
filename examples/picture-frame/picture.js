// Draws the picture for a keyword as an SVG, here in the page: no image is fetched from anywhere.
// A few keywords have scenes of their own; any other word gets a sky and shapes in colours taken
// from its letters, so the same word always makes the same picture. Only numbers and fixed text
// go into the SVG: the keyword itself is never part of the markup.

/** FNV-1a: a small, stable hash of the keyword, the seed of everything drawn for it. */
function hash(text) {
  let h = 0x811c9dc5;
  for (const char of text) h = Math.imul(h ^ char.codePointAt(0), 0x01000193) >>> 0;
  return h;
}

/** Numbers in [0, 1) drawn one after another from the keyword's hash (xorshift). */
function randomFrom(seed) {
  let state = seed || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

// Gradient ids are document-wide: each pair of colours gets its own, so pictures side by side stay apart.
const sky = (top, bottom) => {
  const id = `sky-${hash(top + bottom).toString(36)}`;
  return `<defs><linearGradient id="${id}" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${top}"/><stop offset="1" stop-color="${bottom}"/></linearGradient></defs>` +
    `<rect width="400" height="300" fill="url(#${id})"/>`;
};

const SCENES = {
  sunset: () => sky('#3b1d5e', '#ff8c42') + '<circle cx="200" cy="215" r="60" fill="#ffd166"/><rect y="215" width="400" height="85" fill="#1d3557"/>' +
    '<path d="M40 240h90M230 255h120M120 275h150" stroke="#f4a261" stroke-width="4"/>',
  ocean: () => sky('#8ecae6', '#caf0f8') + '<rect y="170" width="400" height="130" fill="#0077b6"/>' +
    [190, 220, 250, 280].map((y) => `<path d="M0 ${y} q25 -12 50 0 t50 0 t50 0 t50 0 t50 0 t50 0 t50 0 t50 0" fill="none" stroke="#90e0ef" stroke-width="3"/>`).join(''),
  forest: () => sky('#a8dadc', '#e9f5db') + '<rect y="230" width="400" height="70" fill="#386641"/>' +
    [30, 90, 150, 210, 270, 330].map((x, i) => `<path d="M${x} ${150 + (i % 2) * 25} l35 90 h-70 z" fill="${i % 2 ? '#6a994e' : '#2d6a4f'}"/>`).join(''),
  night: (random) => sky('#03045e', '#1b263b') + '<circle cx="320" cy="70" r="30" fill="#f1faee"/><circle cx="333" cy="62" r="28" fill="#03045e"/>' +
    Array.from({ length: 40 }, () => `<circle cx="${Math.floor(random() * 400)}" cy="${Math.floor(random() * 200)}" r="${(random() * 1.5 + 0.5).toFixed(1)}" fill="#fff"/>`).join(''),
  snow: (random) => sky('#adb5bd', '#f8f9fa') + '<path d="M0 240 q100 -40 200 0 t200 0 v60 h-400 z" fill="#fff"/>' +
    Array.from({ length: 60 }, () => `<circle cx="${Math.floor(random() * 400)}" cy="${Math.floor(random() * 300)}" r="${(random() * 2 + 1).toFixed(1)}" fill="#fff"/>`).join(''),
};

/** Any other keyword: a sky between two hues of its own, and circles placed by its hash. */
function abstract(random) {
  const hue = Math.floor(random() * 360);
  const shapes = Array.from({ length: 6 }, () => {
    const [x, y, r] = [random() * 400, random() * 300, 20 + random() * 60].map(Math.floor);
    return `<circle cx="${x}" cy="${y}" r="${r}" fill="hsl(${Math.floor(hue + 120 + random() * 120) % 360} 70% 60%)" fill-opacity="0.7"/>`;
  });
  return sky(`hsl(${hue} 60% 30%)`, `hsl(${(hue + 60) % 360} 70% 70%)`) + shapes.join('');
}

/** The SVG markup of the picture for `keyword` (case and surrounding spaces do not matter). */
export function pictureSvg(keyword) {
  const word = keyword.trim().toLowerCase();
  const random = randomFrom(hash(word));
  const scene = Object.hasOwn(SCENES, word) ? SCENES[word](random) : abstract(random);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300" role="img">${scene}</svg>`;
}

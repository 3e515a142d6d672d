// Docker HEALTHCHECK: exit 0 when the process answers /healthz. Plain JavaScript, because the
// image has no shell tools to spare and no TypeScript at run time.
const url = process.env.HEALTHCHECK_URL || 'http://127.0.0.1:8080/healthz';
fetch(url, { signal: AbortSignal.timeout(2500) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);

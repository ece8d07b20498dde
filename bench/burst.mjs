// Fires a burst of prepared form posts all at once and reports each answer, for bench/load_sim.py.
//
// Node's HTTP client costs a small fraction of the CPU that Python's does per request. On a 2-core
// machine that runs the kiosk and its load generator side by side, that is the difference between
// measuring the kiosk and measuring the generator: 500 real phones each have a CPU of their own.
//
// stdin:  {"base": "http://127.0.0.1:8000", "requests": [{"path", "body", "headers", "at"}, ...]}
//         (at: milliseconds after the start to send it, for a burst spread over time; 0 if absent)
// stdout: [{"status", "ms", "redirect", "cookies", "error"}, ...] in the same order
import http from "node:http";

const input = JSON.parse(await new Promise((resolve) => {
  let text = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => { text += chunk; });
  process.stdin.on("end", () => resolve(text));
}));
const base = new URL(input.base);
// Every phone has its own connection, as on the hall's Wi-Fi.
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function post(request) {
  if (request.at) await wait(request.at);
  return new Promise((resolve) => {
    const body = Buffer.from(request.body);
    const start = performance.now();
    const req = http.request({
      host: base.hostname, port: base.port, path: request.path, method: "POST", agent,
      headers: { ...request.headers, "Content-Type": "application/x-www-form-urlencoded",
                 "Content-Length": body.length },
    }, (res) => {
      res.resume();  // the body is not needed, only that it arrived whole
      res.on("end", () => resolve({ status: res.statusCode, ms: performance.now() - start,
                                    redirect: res.headers["hx-push-url"] || res.headers["hx-redirect"] || null,
                                    cookies: res.headers["set-cookie"] || [] }));
    });
    req.setTimeout(60000, () => req.destroy(new Error("timeout")));
    req.on("error", (error) => resolve({ status: null, ms: performance.now() - start, error: error.message }));
    req.end(body);
  });
}

process.stdout.write(JSON.stringify(await Promise.all(input.requests.map(post))));

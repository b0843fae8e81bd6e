// A small client for the editbay / PixelByte job API (same origin), used by the playground.
// Every failure becomes an ApiError carrying the API's error code, message and request id.

export class ApiError extends Error {
  constructor(code, message, { status = 0, requestId = null, details = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
    this.requestId = requestId;
    this.details = details;
  }
}

const TERMINAL = new Set(["completed", "failed", "cancelled"]);
export const isTerminal = (status) => TERMINAL.has(status);

async function errorFrom(response) {
  const requestId = response.headers.get("x-request-id");
  let body = null;
  try {
    body = await response.json();
  } catch {
    /* not JSON */
  }
  const err = body && body.error;
  if (err && typeof err === "object") {
    return new ApiError(String(err.code || "HTTP_" + response.status), String(err.message || ""), {
      status: response.status,
      requestId: body.requestId || requestId,
      details: err.details || null,
    });
  }
  return new ApiError("HTTP_" + response.status, response.statusText || "request failed", {
    status: response.status,
    requestId,
  });
}

function networkError(exc) {
  if (exc && exc.name === "AbortError") return exc;
  return new ApiError("NETWORK_ERROR", "Could not reach the server: " + ((exc && exc.message) || exc));
}

export class Api {
  /** @param {() => string|null} getKey */
  constructor(getKey, base = "") {
    this.getKey = getKey;
    this.base = base;
  }

  headers(extra = {}) {
    const key = this.getKey();
    if (!key) throw new ApiError("UNAUTHORIZED", "Enter your API key first.");
    return { Authorization: "Bearer " + key, ...extra };
  }

  async request(method, path, { body, signal, headers } = {}) {
    const init = { method, headers: this.headers(headers), signal, cache: "no-store" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(this.base + path, init);
    } catch (exc) {
      throw networkError(exc);
    }
    if (!response.ok) throw await errorFrom(response);
    return response.json();
  }

  account() { return this.request("GET", "/v1/account"); }
  models() { return this.request("GET", "/v1/models"); }
  estimate(body, signal) { return this.request("POST", "/v1/jobs/estimate", { body, signal }); }
  submit(body) { return this.request("POST", "/v1/jobs/submit", { body }); }
  job(id) { return this.request("GET", "/v1/jobs/" + encodeURIComponent(id)); }
  cancel(id) { return this.request("POST", "/v1/jobs/" + encodeURIComponent(id) + "/cancel"); }

  jobs({ status = "", cursor = "", limit = 10 } = {}) {
    const q = new URLSearchParams({ limit: String(limit) });
    if (status) q.set("status", status);
    if (cursor) q.set("cursor", cursor);
    return this.request("GET", "/v1/jobs?" + q.toString());
  }

  /** Presign, then PUT the file's bytes (XHR for upload progress). Resolves to the fileUrl. */
  async upload(file, contentType, onProgress) {
    const ticket = await this.request("POST", "/v1/uploads/presign", {
      body: { filename: file.name || "video", contentType },
    });
    const data = ticket.data || ticket;
    if (typeof data.maxSize === "number" && file.size > data.maxSize) {
      throw new ApiError("PAYLOAD_TOO_LARGE", `The file is larger than ${data.maxSize} bytes.`);
    }
    try {
      await putFile(data.uploadUrl, file, contentType, onProgress);
    } catch (exc) {
      // editbay's own upload URL on another host name (e.g. localhost vs 127.0.0.1) is blocked
      // by CORS: send the same signed path to this origin instead.
      const url = new URL(data.uploadUrl, location.href);
      if (exc.code !== "NETWORK_ERROR" || url.origin === location.origin || !url.pathname.startsWith("/v1/uploads/")) {
        throw exc;
      }
      await putFile(url.pathname + url.search, file, contentType, onProgress);
    }
    return data.fileUrl;
  }

  /**
   * Follow a job's Server-Sent Events with fetch streaming (EventSource cannot send the
   * Authorization header). Calls onJob(job) per event. Resolves with the last job seen when the
   * stream ends (after the terminal event, or early if the connection drops).
   */
  async streamEvents(id, onJob, { signal, lastEventId } = {}) {
    const headers = this.headers({ Accept: "text/event-stream" });
    if (lastEventId) headers["Last-Event-ID"] = lastEventId;
    let response;
    try {
      response = await fetch(this.base + "/v1/jobs/" + encodeURIComponent(id) + "/events", {
        headers, signal, cache: "no-store",
      });
    } catch (exc) {
      throw networkError(exc);
    }
    if (!response.ok) throw await errorFrom(response);
    if (!response.body || !(response.headers.get("content-type") || "").includes("text/event-stream")) {
      throw new ApiError("SSE_UNAVAILABLE", "the server did not answer with an event stream");
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    let last = { job: null, id: lastEventId || null };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value.replace(/\r\n?/g, "\n");
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = parseEvent(block);
        if (event.id) last.id = event.id;
        if (!event.data) continue;
        let job;
        try {
          job = JSON.parse(event.data);
        } catch {
          continue;
        }
        last.job = job;
        onJob(job, event.type);
      }
    }
    return last;
  }
}

function parseEvent(block) {
  const event = { type: "message", data: "", id: null };
  const data = [];
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event.type = value;
    else if (field === "data") data.push(value);
    else if (field === "id") event.id = value;
  }
  event.data = data.join("\n");
  return event;
}

function putFile(url, file, contentType, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    xhr.setRequestHeader("Content-Type", contentType);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve();
        return;
      }
      let err = null;
      try {
        const body = JSON.parse(xhr.responseText);
        if (body && body.error) {
          err = new ApiError(String(body.error.code), String(body.error.message || ""), {
            status: xhr.status, requestId: body.requestId || xhr.getResponseHeader("x-request-id"),
          });
        }
      } catch {
        /* S3 answers XML */
      }
      reject(err || new ApiError("UPLOAD_FAILED", `the upload was refused (HTTP ${xhr.status})`, { status: xhr.status }));
    };
    xhr.onerror = () => reject(new ApiError("NETWORK_ERROR", "the upload could not reach the storage server"));
    xhr.send(file);
  });
}

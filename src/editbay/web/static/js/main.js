// The editbay playground: key → source video → instruction (live plan + cost) → submit →
// live progress (SSE over fetch, polling fallback) → before/after → jobs list.

import { Api, ApiError, isTerminal } from "./api.js";
import { $, clear, el, findRanges, highlighted, show } from "./dom.js";
import { between, dateTime, describeOp, money, shortTime } from "./format.js";

const KEY_STORAGE = "editbay.apiKey";
const MODEL_STORAGE = "editbay.model";
const JOBS_STORAGE = "editbay.jobNotes";
const DEFAULT_MODEL = "kling-plus/kling-o1-pro/video-edit-fast";
const FALLBACK_MODELS = [
  { slug: "kling-plus/kling-o1-pro/video-edit-fast", name: "Kling O1 Pro — Video Edit (Fast)" },
  { slug: "kling-plus/kling-o1-standard/video-edit", name: "Kling O1 Standard — Video Edit" },
  { slug: "editbay/local/video-edit", name: "editbay Local — Video Edit" },
];
const VIDEO_TYPES = { mp4: "video/mp4", m4v: "video/mp4", webm: "video/webm", mov: "video/quicktime" };
const ESTIMATE_DELAY_MS = 350;
const POLL_MS = 1000;
const PAGE_SIZE = 10;

// ---- storage (local storage may be unavailable: then the key lives for this page only) -------

const memory = new Map();
const store = {
  get(name) {
    try { return localStorage.getItem(name); } catch { return memory.get(name) ?? null; }
  },
  set(name, value) {
    try { localStorage.setItem(name, value); } catch { memory.set(name, value); }
  },
  remove(name) {
    try { localStorage.removeItem(name); } catch { /* ignore */ }
    memory.delete(name);
  },
};

/** What this browser remembers about its own jobs: the source URL and the instruction. */
function jobNotes() {
  try { return JSON.parse(store.get(JOBS_STORAGE) || "{}") || {}; } catch { return {}; }
}
function rememberJob(jobId, note) {
  const notes = jobNotes();
  notes[jobId] = { ...note, at: Date.now() };
  const kept = Object.entries(notes).sort((a, b) => b[1].at - a[1].at).slice(0, 50);
  store.set(JOBS_STORAGE, JSON.stringify(Object.fromEntries(kept)));
}

// ---- state --------------------------------------------------------------------------------------

const state = {
  key: store.get(KEY_STORAGE),
  upload: null, // {name, fileUrl, preview} once uploaded
  uploading: false,
  estimateTimer: 0,
  estimateAbort: null,
  estimateSeq: 0,
  lastPlan: null,
  jobId: null,
  lastJob: null,
  watch: null,
  jobsCursor: null,
  jobsLoading: false,
  costs: new Map(),
  submitting: false,
};
const api = new Api(() => state.key);

// ---- errors -------------------------------------------------------------------------------------

function showError(err, context = "") {
  if (err && err.name === "AbortError") return;
  const code = err instanceof ApiError ? err.code : "CLIENT_ERROR";
  const message = (err && err.message) || String(err);
  $("error-code").textContent = code;
  $("error-message").textContent = context ? `${context}: ${message}` : message;
  const meta = [];
  if (err instanceof ApiError) {
    if (err.status) meta.push(`HTTP ${err.status}`);
    if (err.requestId) meta.push(`request ${err.requestId}`);
    if (err.details && Object.keys(err.details).length) meta.push(JSON.stringify(err.details));
  }
  $("error-meta").textContent = meta.join(" · ");
  show($("error-box"));
}

function clearError() {
  show($("error-box"), false);
}

function fieldError(input, code, message) {
  input.setAttribute("aria-invalid", "true");
  showError(new ApiError(code, message));
  input.focus();
}

// ---- key ----------------------------------------------------------------------------------------

function maskKey(key) {
  return key.length > 12 ? `${key.slice(0, 7)}…${key.slice(-4)}` : "…";
}

function renderKey() {
  const hasKey = Boolean(state.key);
  show($("key-form"), !hasKey);
  show($("key-saved"), hasKey);
  $("edit-fields").disabled = !hasKey;
  $("key-masked").textContent = hasKey ? maskKey(state.key) : "";
  if (!hasKey) $("account-info").textContent = "";
}

async function loadAccount() {
  try {
    const acc = await api.account();
    const held = acc.heldMicroCents ? ` (held ${money(acc.heldMicroCents)})` : "";
    $("account-info").textContent = `Account ${acc.name || acc.accountId} · balance ${money(acc.balanceMicroCents)}${held}`;
    return acc;
  } catch (err) {
    if (err instanceof ApiError && err.status && err.status !== 404) throw err;
    $("account-info").textContent = "";
    return null;
  }
}

async function saveKey(event) {
  event.preventDefault();
  const input = $("api-key");
  const key = input.value.trim();
  if (!key) {
    fieldError(input, "INVALID_INPUT", "Enter an API key (it starts with eb_).");
    return;
  }
  input.removeAttribute("aria-invalid");
  state.key = key;
  try {
    await loadAccount();
  } catch (err) {
    state.key = null;
    input.setAttribute("aria-invalid", "true");
    showError(err, "The key was not accepted");
    input.focus();
    return;
  }
  store.set(KEY_STORAGE, key);
  input.value = "";
  clearError();
  renderKey();
  $("instruction").focus();
  await afterKey();
}

function forgetKey() {
  store.remove(KEY_STORAGE);
  state.key = null;
  stopWatching();
  state.costs.clear();
  clear($("jobs-body"));
  show($("jobs-more"), false);
  $("jobs-status").textContent = "";
  showJobEmpty();
  resetPlan("Type an instruction to see how it will be edited.");
  renderKey();
  $("api-key").focus();
}

async function afterKey() {
  delete document.body.dataset.loaded;
  await Promise.all([loadModels(), loadJobs(true)]);
  scheduleEstimate(0);
  document.body.dataset.loaded = "true";
}

// ---- models -------------------------------------------------------------------------------------

async function loadModels() {
  let models = FALLBACK_MODELS;
  try {
    const body = await api.models();
    if (Array.isArray(body.models) && body.models.length) models = body.models;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) showError(err);
  }
  fillModels(models);
}

/** The model choices (the documented slugs until the server's list arrives). */
function fillModels(models) {
  const select = $("model");
  const wanted = select.value || store.get(MODEL_STORAGE) || DEFAULT_MODEL;
  clear(select);
  for (const m of models) {
    const p = m.pricing || {};
    const price = typeof p.baseCostMicroCents === "number" ? ` · ${money(p.baseCostMicroCents)}/${p.unit || "video"}` : "";
    select.append(el("option", { value: m.slug, text: `${m.name || m.slug}${price}` }));
  }
  select.value = models.some((m) => m.slug === wanted) ? wanted : models[0].slug;
}

// ---- source video -------------------------------------------------------------------------------

function contentTypeOf(file) {
  if (file.type && file.type.startsWith("video/")) return file.type;
  const ext = (file.name.split(".").pop() || "").toLowerCase();
  return VIDEO_TYPES[ext] || file.type || "";
}

function currentSource() {
  const url = $("video-url").value.trim();
  if (url) return { url, preview: url, label: "the URL above" };
  if (state.upload) return { url: state.upload.fileUrl, preview: state.upload.preview, label: state.upload.name };
  return null;
}

/** The "which video" line; with ``preview`` also the preview player (not on every keystroke). */
function renderSource(preview = true) {
  const src = currentSource();
  const status = $("source-status");
  if (state.uploading) status.textContent = "Uploading…";
  else if (!src) status.textContent = "No video chosen yet.";
  else if ($("video-url").value.trim()) {
    status.textContent = state.upload
      ? `Using the URL above (instead of the uploaded ${state.upload.name}).`
      : "Using the URL above.";
  } else status.textContent = `Using the uploaded file ${src.label}.`;
  if (!preview) return;
  const player = $("source-preview");
  const wanted = src && /^(https?|blob):/i.test(src.preview) ? src.preview : "";
  if (player.dataset.src !== wanted) {
    player.dataset.src = wanted;
    if (wanted) player.src = wanted;
    else player.removeAttribute("src");
  }
  show(player, Boolean(wanted));
}

async function handleFile(file) {
  if (!file) return;
  clearError();
  const type = contentTypeOf(file);
  if (!Object.values(VIDEO_TYPES).includes(type)) {
    showError(new ApiError("INVALID_CONTENT_TYPE", `${file.name} is not an MP4, WebM or MOV video.`));
    return;
  }
  const status = $("upload-status");
  const bar = $("upload-progress");
  state.uploading = true;
  $("dropzone").classList.add("busy");
  status.textContent = `Uploading ${file.name} (${(file.size / 1048576).toFixed(1)} MB)…`;
  bar.value = 0;
  show(bar);
  renderSource();
  try {
    const fileUrl = await api.upload(file, type, (fraction) => { bar.value = Math.round(fraction * 100); });
    if (state.upload && state.upload.preview.startsWith("blob:")) URL.revokeObjectURL(state.upload.preview);
    state.upload = { name: file.name, fileUrl, preview: URL.createObjectURL(file) };
    $("video-url").value = "";
    status.textContent = `Uploaded ${file.name}.`;
    bar.value = 100;
  } catch (err) {
    status.textContent = `Upload of ${file.name} failed.`;
    showError(err, "Upload failed");
  } finally {
    state.uploading = false;
    $("dropzone").classList.remove("busy");
    show(bar, false);
    $("file-input").value = "";
    renderSource();
  }
}

function setupDropzone() {
  const zone = $("dropzone");
  $("file-input").addEventListener("change", (e) => handleFile(e.target.files[0]));
  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (e) => {
      e.preventDefault();
      if (!$("edit-fields").disabled) zone.classList.add("over");
    });
  }
  for (const type of ["dragleave", "dragend"]) zone.addEventListener(type, () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    if ($("edit-fields").disabled) return;
    const file = e.dataTransfer && e.dataTransfer.files[0];
    if (file) handleFile(file);
  });
  // A file dropped next to the zone must not navigate away from the page.
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => e.preventDefault());
}

// ---- plan preview (estimate dry run) ------------------------------------------------------------

function editInput({ forEstimate = false } = {}) {
  const input = {
    prompt: $("instruction").value.trim(),
    keep_original_sound: $("keep-sound").checked,
    strict: $("strict").checked,
  };
  const aspect = $("aspect").value;
  if (aspect) input.aspect_ratio = aspect;
  if (!forEstimate) {
    const src = currentSource();
    if (src) input.video_url = src.url;
  }
  return input;
}

function resetPlan(message) {
  $("plan-summary").textContent = message;
  for (const id of ["plan-cost", "plan-echo", "plan-ops", "plan-unsupported", "plan-error", "plan-notes"]) {
    show($(id), false);
  }
  state.lastPlan = null;
  $("submit-hint").textContent = "";
  $("plan-preview").classList.remove("loading");
}

function scheduleEstimate(delay = ESTIMATE_DELAY_MS) {
  clearTimeout(state.estimateTimer);
  state.estimateTimer = setTimeout(runEstimate, delay);
}

async function runEstimate() {
  if (!state.key) return;
  const input = editInput({ forEstimate: true });
  if (state.estimateAbort) state.estimateAbort.abort();
  if (!input.prompt) {
    resetPlan("Type an instruction to see how it will be edited.");
    return;
  }
  const seq = ++state.estimateSeq;
  const abort = new AbortController();
  state.estimateAbort = abort;
  $("plan-preview").classList.add("loading");
  try {
    const estimate = await api.estimate({ model: $("model").value, input }, abort.signal);
    if (seq !== state.estimateSeq) return;
    renderPlan(input.prompt, estimate);
  } catch (err) {
    if (seq !== state.estimateSeq || (err && err.name === "AbortError")) return;
    resetPlan("The plan could not be computed.");
    renderPlanError({ code: err.code || "CLIENT_ERROR", message: err.message });
  } finally {
    if (seq === state.estimateSeq) $("plan-preview").classList.remove("loading");
  }
}

/** Operations as a readable list, with the words each came from when the instruction has them. */
function renderOps(list, operations, instruction = "") {
  clear(list);
  for (const op of operations) {
    const item = el("li", {}, el("span", { className: "op-text" }, describeOp(op)));
    const [found] = op.source ? findRanges(instruction, [{ text: op.source, kind: "recognised" }]) : [];
    if (found) {
      item.append(" ", el("span", { className: "op-source" }, `from “${instruction.slice(found.start, found.end)}”`));
    } else if (/^[a-z_]+=/.test(op.source || "")) {
      item.append(" ", el("span", { className: "op-source" }, `from the option ${op.source}`));
    }
    list.append(item);
  }
  show(list, operations.length > 0);
}

function renderUnsupported(list, items, verb) {
  clear(list);
  for (const u of items) {
    list.append(el("li", {}, el("mark", { className: "unsupported" }, u.clause), ` — ${verb}: ${u.reason}`));
  }
  show(list, items.length > 0);
}

/** The instruction with recognised phrases underlined and unsupported clauses in <mark>. */
function instructionNodes(text, plan) {
  const phrases = [
    ...((plan && plan.unsupported) || []).map((u) => ({ text: u.clause, kind: "unsupported", title: u.reason })),
    ...((plan && plan.operations) || []).map((op) => ({ text: op.source || "", kind: "recognised", title: describeOp(op) })),
  ];
  return highlighted(text, findRanges(text, phrases));
}

/** An error code and message; the engine's long "what it can do" list goes in a disclosure. */
function errorNodes(error, lead = "") {
  const message = String(error.message || "");
  const split = message.indexOf(" The engine can do");
  const nodes = [el("p", {}, el("strong", {}, el("code", {}, error.code || "ERROR")), " ", lead,
    split > 0 ? message.slice(0, split) : message)];
  if (split > 0) {
    const can = message.slice(split + 1).replace(/^The engine can do\s*[—:-]?\s*/, "");
    const list = el("ul", { className: "small capabilities" });
    for (const group of can.split(" | ")) {
      const colon = group.indexOf(":");
      list.append(colon > 0
        ? el("li", {}, el("strong", {}, group.slice(0, colon)), group.slice(colon))
        : el("li", {}, group));
    }
    nodes.push(el("details", {}, el("summary", {}, "What the engine can do"), list));
  }
  return nodes;
}

function renderPlanError(error, lead = "") {
  clear($("plan-error")).append(...errorNodes(error, lead));
  show($("plan-error"));
}

function renderPlan(prompt, estimate) {
  const plan = estimate.plan || { operations: [], unsupported: [], notes: [] };
  state.lastPlan = { prompt, estimate };
  const ops = plan.operations || [];
  const unsupported = plan.unsupported || [];
  const cost = $("plan-cost");
  cost.textContent = `Cost ${money(estimate.estimatedCostMicroCents)}`;
  cost.title = `${estimate.estimatedCostMicroCents} micro-cents` +
    (estimate.breakdown || []).map((b) => `\n${b.component}: ${money(b.costMicroCents)}`).join("");
  show(cost);

  const parts = [`${ops.length} operation${ops.length === 1 ? "" : "s"}`];
  if (unsupported.length) parts.push(`${unsupported.length} unsupported clause${unsupported.length === 1 ? "" : "s"}`);
  parts.push(`cost ${money(estimate.estimatedCostMicroCents)}`);
  $("plan-summary").textContent = parts.join(" · ");

  const echo = clear($("plan-echo"));
  echo.append(el("span", { className: "visually-hidden" }, "Your instruction as read: "), ...instructionNodes(prompt, plan));
  show(echo);

  renderOps($("plan-ops"), ops, prompt);
  const strict = $("strict").checked;
  renderUnsupported($("plan-unsupported"), unsupported, strict ? "cannot be done" : "will be skipped");

  if (estimate.planError) {
    const lead = estimate.planError.code === "UNSUPPORTED_EDIT" && strict
      ? "With Strict on, the job would fail (and be refunded); untick Strict to apply the rest. " : "";
    renderPlanError(estimate.planError, lead);
  }
  else if (!ops.length && !unsupported.length) renderPlanError({ code: "NO_OPERATIONS", message: "No edit was recognised in this instruction." });
  else show($("plan-error"), false);

  const notes = clear($("plan-notes"));
  for (const note of plan.notes || []) notes.append(el("li", {}, note));
  show(notes, (plan.notes || []).length > 0);
  $("submit-hint").textContent = estimate.planError && strict ? "This instruction would fail as it is." : "";
}

// ---- submit -------------------------------------------------------------------------------------

async function submitEdit(event) {
  event.preventDefault();
  if (state.submitting) return;
  clearError();
  for (const id of ["video-url", "instruction"]) $(id).removeAttribute("aria-invalid");
  if (!state.key) {
    fieldError($("api-key"), "UNAUTHORIZED", "Enter your API key first.");
    return;
  }
  if (state.uploading) {
    showError(new ApiError("UPLOAD_IN_PROGRESS", "Wait for the upload to finish."));
    return;
  }
  const input = editInput();
  if (!input.video_url) {
    fieldError($("video-url"), "INVALID_INPUT", "Choose a video file or paste a video URL.");
    return;
  }
  if (!input.prompt) {
    fieldError($("instruction"), "INVALID_INPUT", "Type an instruction.");
    return;
  }
  const src = currentSource();
  const button = $("submit");
  state.submitting = true;
  button.disabled = true;
  button.textContent = "Submitting…";
  try {
    const model = $("model").value;
    const submitted = await api.submit({ model, input });
    store.set(MODEL_STORAGE, model);
    rememberJob(submitted.jobId, { source: src.url, prompt: input.prompt });
    openJob(submitted.jobId, { preview: src.preview, submitted });
    loadJobs(true);
    loadAccount().catch(() => {});
  } catch (err) {
    showError(err, "Submit failed");
    if (err.details && err.details.field === "input.video_url") $("video-url").setAttribute("aria-invalid", "true");
    if (err.details && err.details.field === "input.prompt") $("instruction").setAttribute("aria-invalid", "true");
  } finally {
    state.submitting = false;
    button.disabled = false;
    button.textContent = "Submit edit";
  }
}

// ---- the current job ----------------------------------------------------------------------------

function showJobEmpty() {
  state.jobId = null;
  show($("job-empty"));
  show($("job-view"), false);
}

function stopWatching() {
  if (state.watch) state.watch.abort();
  state.watch = null;
}

const sleep = (ms, signal) => new Promise((resolve) => {
  const t = setTimeout(resolve, ms);
  signal.addEventListener("abort", () => { clearTimeout(t); resolve(); }, { once: true });
});

function setLive(text) {
  $("job-live").textContent = text;
}

async function openJob(jobId, { preview = null, submitted = null } = {}) {
  stopWatching();
  state.jobId = jobId;
  const note = jobNotes()[jobId] || {};
  const view = $("job-view");
  view.dataset.preview = preview || note.source || "";
  view.dataset.prompt = note.prompt || "";
  for (const id of ["video-before", "video-after"]) {
    const v = $(id);
    v.removeAttribute("src");
    v.removeAttribute("poster");
    delete v.dataset.src;
    v.load();
  }
  show($("result"), false);
  show($("job-empty"), false);
  show(view);
  if (submitted) {
    renderJob({ jobId, status: submitted.status, progress: 0, costMicroCents: submitted.costMicroCents,
      estimatedCompletionTime: submitted.estimatedCompletionTime });
  }
  const ctl = new AbortController();
  state.watch = ctl;
  let job;
  try {
    job = await api.job(jobId);
  } catch (err) {
    if (!ctl.signal.aborted) showError(err, `Could not load ${jobId}`);
    return;
  }
  if (ctl.signal.aborted) return;
  renderJob(job);
  if (!isTerminal(job.status)) watch(jobId, ctl);
  else setLive("");
}

/** Follow the job: SSE over fetch (with Last-Event-ID reconnects), then polling as a fallback. */
async function watch(jobId, ctl) {
  let lastId = null;
  let failures = 0;
  while (!ctl.signal.aborted) {
    try {
      setLive("Live updates (server-sent events).");
      const last = await api.streamEvents(jobId, (job) => {
        if (!ctl.signal.aborted && job.jobId === state.jobId) renderJob(job);
      }, { signal: ctl.signal, lastEventId: lastId });
      lastId = last.id || lastId;
      if (last.job && isTerminal(last.job.status)) {
        finished(last.job);
        return;
      }
      failures += 1; // the stream ended before the job did: reconnect
    } catch (err) {
      if (ctl.signal.aborted) return;
      if (err instanceof ApiError && (err.code === "JOB_NOT_FOUND" || err.status === 401 || err.status === 403)) {
        showError(err);
        setLive("");
        return;
      }
      failures = err instanceof ApiError && (err.status === 404 || err.status === 405 || err.code === "SSE_UNAVAILABLE")
        ? 99 : failures + 1;
    }
    if (failures >= 3) {
      await poll(jobId, ctl);
      return;
    }
    await sleep(500 * failures, ctl.signal);
  }
}

async function poll(jobId, ctl) {
  let delay = POLL_MS;
  while (!ctl.signal.aborted) {
    setLive("Live updates unavailable: checking every second.");
    try {
      const job = await api.job(jobId);
      if (ctl.signal.aborted) return;
      renderJob(job);
      if (isTerminal(job.status)) {
        finished(job);
        return;
      }
      delay = POLL_MS;
    } catch (err) {
      if (ctl.signal.aborted) return;
      if (err instanceof ApiError && err.status && err.status < 500 && err.status !== 429) {
        showError(err);
        return;
      }
      delay = Math.min(delay * 2, 8000);
    }
    await sleep(delay, ctl.signal);
  }
}

function finished(job) {
  setLive("");
  updateRow(job);
  loadAccount().catch(() => {});
  if ($("status-filter").value) loadJobs(true);
}

const STATUS_TEXT = {
  pending: "Queued", processing: "Processing", completed: "Completed", failed: "Failed", cancelled: "Cancelled",
};

function badge(node, status) {
  node.textContent = STATUS_TEXT[status] || status;
  node.className = `badge status-${status}`;
}

/** The same file whatever its signature: signed links change on every read of the job. */
function fileIdentity(url) {
  try {
    const u = new URL(url, location.href);
    return u.origin + u.pathname;
  } catch {
    return String(url);
  }
}

function setVideo(video, url, poster) {
  if (poster && fileIdentity(video.getAttribute("poster") || "") !== fileIdentity(poster)) video.poster = poster;
  if (video.dataset.src === fileIdentity(url)) return;
  video.dataset.src = fileIdentity(url);
  video.src = url;
}

function detail(list, term, value, { code = false } = {}) {
  if (value === null || value === undefined || value === "" || value === "—") return;
  list.append(el("dt", {}, term), el("dd", {}, code ? el("code", { className: "wrap" }, value) : value));
}

/** Tell screen readers about status changes and every quarter of progress, not every percent. */
function announce(job, progress) {
  const node = $("job-announcer");
  const step = job.status === "processing" ? Math.floor(progress / 25) * 25 : progress;
  const key = `${job.jobId}:${job.status}:${step}`;
  if (node.dataset.key === key) return;
  node.dataset.key = key;
  const status = STATUS_TEXT[job.status] || job.status;
  node.textContent = job.status === "processing" ? `${status}: ${step}%` : `Job ${status.toLowerCase()}`;
}

function renderJob(job) {
  if (job.jobId !== state.jobId) return;
  state.lastJob = job;
  const view = $("job-view");
  badge($("job-status"), job.status);
  $("job-id").textContent = job.jobId;
  const progress = job.status === "completed" ? 100 : Math.max(0, Math.min(100, Number(job.progress) || 0));
  $("job-progress").value = progress;
  $("job-progress-text").textContent = `${progress}% · ${STATUS_TEXT[job.status] || job.status}`;
  announce(job, progress);
  show($("job-cancel"), !isTerminal(job.status));

  const errorBox = clear($("job-error"));
  if (job.error) {
    errorBox.append(...errorNodes(job.error));
    if (job.refundedMicroCents) errorBox.append(el("p", { className: "small" }, `Refunded ${money(job.refundedMicroCents)}.`));
  }
  show(errorBox, Boolean(job.error));

  // result
  const output = (job.outputs && job.outputs[0]) || (job.output ? { url: job.output } : null);
  if (job.status === "completed" && output && output.url) {
    setVideo($("video-after"), output.url, output.posterImage);
    const before = view.dataset.preview;
    if (before) setVideo($("video-before"), before);
    show($("video-before"), Boolean(before));
    show($("before-missing"), !before);
    show($("play-both"), Boolean(before));
    const link = $("download");
    link.href = output.url;
    link.setAttribute("download", `${job.jobId}.mp4`);
    show($("result"));
    const thumb = $("job-thumb");
    if (output.thumbnail) {
      if (fileIdentity(thumb.getAttribute("src") || "") !== fileIdentity(output.thumbnail)) thumb.src = output.thumbnail;
      show(thumb);
    } else show(thumb, false);
  } else {
    show($("result"), false);
    show($("job-thumb"), false);
  }

  // details
  const dl = clear($("job-details"));
  detail(dl, "Model", job.model, { code: true });
  const prompt = view.dataset.prompt;
  if (prompt) {
    const plan = job.plan || (state.lastPlan && state.lastPlan.prompt === prompt ? state.lastPlan.estimate.plan : null);
    dl.append(el("dt", {}, "Instruction"), el("dd", { className: "instruction-echo" }, ...instructionNodes(prompt, plan)));
  }
  if (typeof job.costMicroCents === "number") {
    detail(dl, "Cost", `${money(job.costMicroCents)}${job.refundedMicroCents ? ` (refunded ${money(job.refundedMicroCents)})` : ""}`);
  }
  detail(dl, "Created", dateTime(job.createdAt));
  if (!job.startedAt && job.estimatedCompletionTime) detail(dl, "Expected done", dateTime(job.estimatedCompletionTime));
  detail(dl, "Started", job.startedAt ? dateTime(job.startedAt) : null);
  detail(dl, "Completed", job.completedAt ? dateTime(job.completedAt) : null);
  detail(dl, "Queue wait", between(job.createdAt, job.startedAt));
  detail(dl, "Processing", between(job.startedAt, job.completedAt));
  detail(dl, "Total", between(job.createdAt, job.completedAt));
  if (job.attempts > 1) detail(dl, "Attempts", String(job.attempts));
  detail(dl, "Output expires", job.expiresAt ? dateTime(job.expiresAt) : null);
  const after = $("video-after");
  if (job.status === "completed" && after.videoWidth) {
    detail(dl, "Output", `${after.videoWidth} × ${after.videoHeight}, ${after.duration.toFixed(1)} s`);
  }

  const ops = (job.plan && job.plan.operations) || [];
  show($("job-plan-heading"), ops.length > 0);
  renderOps($("job-plan"), ops, (job.plan && job.plan.instruction) || prompt || "");
  renderUnsupported($("job-skipped"), job.skipped || [], "skipped");
  $("job-raw").textContent = JSON.stringify(job, null, 2);
  if (typeof job.costMicroCents === "number" && isTerminal(job.status)) state.costs.set(job.jobId, job.costMicroCents);
  updateRow(job);
}

async function cancelJob() {
  const jobId = state.jobId;
  if (!jobId) return;
  const button = $("job-cancel");
  button.disabled = true;
  try {
    const res = await api.cancel(jobId);
    setLive(`Cancelled; refunded ${money(res.refundedMicroCents)}.`);
    const job = await api.job(jobId);
    renderJob(job);
    if (isTerminal(job.status)) {
      stopWatching();
      finished(job);
    }
  } catch (err) {
    showError(err, "Cancel failed");
  } finally {
    button.disabled = false;
  }
}

// ---- jobs list ----------------------------------------------------------------------------------

function progressCell(job) {
  const value = job.status === "completed" ? 100 : Number(job.progress) || 0;
  return [el("progress", { max: 100, value, "aria-label": `Progress of ${job.jobId}` }), el("span", { className: "small" }, ` ${value}%`)];
}

function costText(jobId, value) {
  return typeof value === "number" ? money(value) : "…";
}

function jobRow(job) {
  const open = el("button", {
    type: "button", className: "link-button wrap", text: job.jobId,
    "aria-label": `Open job ${job.jobId}`, onclick: () => { openJob(job.jobId); $("job-heading").focus(); },
  });
  const status = el("span");
  badge(status, job.status);
  const cost = job.costMicroCents ?? state.costs.get(job.jobId);
  return el("tr", { dataset: { jobId: job.jobId } },
    el("td", { "data-label": "Job" }, open),
    el("td", { "data-label": "Status", className: "cell-status" }, status),
    el("td", { "data-label": "Progress", className: "cell-progress" }, ...progressCell(job)),
    el("td", { "data-label": "Model", className: "cell-model" }, job.model || "—"),
    el("td", { "data-label": "Cost", className: "cell-cost" }, costText(job.jobId, cost)),
    el("td", { "data-label": "Created" }, el("time", { datetime: job.createdAt || "" }, shortTime(job.createdAt))));
}

function updateRow(job) {
  const row = [...$("jobs-body").rows].find((r) => r.dataset.jobId === job.jobId);
  if (!row) return;
  const status = row.querySelector(".cell-status span");
  badge(status, job.status);
  row.querySelector(".cell-progress").replaceChildren(...progressCell(job));
  if (typeof job.costMicroCents === "number") row.querySelector(".cell-cost").textContent = money(job.costMicroCents);
}

/** The list items carry no cost: fill each row's cost from the job (cached once terminal). */
async function fillCosts(jobs) {
  const missing = jobs.filter((j) => typeof j.costMicroCents !== "number" && !state.costs.has(j.jobId));
  const queue = [...missing];
  const worker = async () => {
    while (queue.length) {
      const item = queue.shift();
      try {
        const job = await api.job(item.jobId);
        if (isTerminal(job.status)) state.costs.set(job.jobId, job.costMicroCents);
        updateRow(job);
      } catch {
        /* the row keeps "…" */
      }
    }
  };
  await Promise.all([worker(), worker(), worker()]);
}

async function loadJobs(reset = false) {
  if (!state.key || (state.jobsLoading && !reset)) return;
  state.jobsLoading = true;
  const status = $("status-filter").value;
  const cursor = reset ? null : state.jobsCursor;
  $("jobs-status").textContent = "Loading jobs…";
  try {
    const page = await api.jobs({ status, cursor, limit: PAGE_SIZE });
    if (status !== $("status-filter").value) return; // the filter changed meanwhile
    const body = $("jobs-body");
    if (reset) clear(body);
    for (const job of page.jobs) body.append(jobRow(job));
    state.jobsCursor = page.nextCursor;
    show($("jobs-more"), Boolean(page.hasMore && page.nextCursor));
    const count = body.rows.length;
    $("jobs-status").textContent = count
      ? `Showing ${count} job${count === 1 ? "" : "s"}${status ? ` (${status})` : ""}${page.hasMore ? "; more available" : ""}.`
      : status ? `No ${status} jobs.` : "No jobs yet.";
    fillCosts(page.jobs);
  } catch (err) {
    $("jobs-status").textContent = "The jobs could not be loaded.";
    showError(err, "Jobs list");
  } finally {
    state.jobsLoading = false;
  }
}

// ---- wiring -------------------------------------------------------------------------------------

function init() {
  $("key-form").addEventListener("submit", saveKey);
  $("key-forget").addEventListener("click", forgetKey);
  $("error-dismiss").addEventListener("click", clearError);
  $("edit-form").addEventListener("submit", submitEdit);
  $("instruction").addEventListener("input", () => { $("instruction").removeAttribute("aria-invalid"); scheduleEstimate(); });
  $("instruction").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      $("edit-form").requestSubmit();
    }
  });
  for (const id of ["model", "aspect", "keep-sound", "strict"]) $(id).addEventListener("change", () => scheduleEstimate(0));
  $("video-url").addEventListener("input", () => { $("video-url").removeAttribute("aria-invalid"); renderSource(false); });
  $("video-url").addEventListener("change", () => renderSource(true));
  $("job-cancel").addEventListener("click", cancelJob);
  $("play-both").addEventListener("click", () => {
    for (const id of ["video-before", "video-after"]) {
      const v = $(id);
      if (!v.hidden && v.getAttribute("src")) {
        v.currentTime = 0;
        v.play().catch(() => {});
      }
    }
  });
  $("video-after").addEventListener("loadedmetadata", () => {
    if (state.lastJob && state.lastJob.jobId === state.jobId) renderJob(state.lastJob);
  });
  $("status-filter").addEventListener("change", () => loadJobs(true));
  $("jobs-refresh").addEventListener("click", () => loadJobs(true));
  $("jobs-more").addEventListener("click", () => loadJobs(false));
  setupDropzone();
  fillModels(FALLBACK_MODELS);
  renderKey();
  renderSource();
  if (state.key) {
    loadAccount().catch((err) => showError(err, "The saved key was not accepted"));
    afterKey();
  }
  document.body.dataset.ready = "true";
}

init();

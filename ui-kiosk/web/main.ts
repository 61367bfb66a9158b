import { Controls } from './controls.js';
import { DepthScale } from './depth-scale.js';
import { ExamHistory } from './exam/exam-history.js';
import { ExamPanel } from './exam/exam-panel.js';
import { catalogueFor, t, useCatalogue } from './i18n/messages.js';
import { FindingsOverlay } from './findings-overlay.js';
import { FindingsPanel } from './findings-panel.js';
import { ImageView } from './image-view.js';
import { ReviewDialog } from './review/review-dialog.js';
import { openCine, openClip } from './review/review-source.js';
import { readStatus } from './status.js';
import { StatusBar } from './status-bar.js';
import { KioskConnection } from './ws-client.js';

/** How often the frame rate / latency readout changes: readable, not flickering. */
const METRICS_INTERVAL_MS = 500;

function byTestId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.querySelector<T>(`[data-testid="${id}"]`);
  if (!element) throw new Error(`kiosk page is missing [data-testid="${id}"]; index.html and main.ts disagree`);
  return element;
}

function localiseStaticText(): void {
  document.title = t('app.title');
  for (const element of document.querySelectorAll<HTMLElement>('[data-i18n]')) {
    element.textContent = t(element.dataset['i18n'] as Parameters<typeof t>[0]);
  }
  for (const element of document.querySelectorAll<Element>('[data-i18n-label]')) {
    element.setAttribute('aria-label', t(element.getAttribute('data-i18n-label') as Parameters<typeof t>[0]));
  }
}

function main(): void {
  const notProvisioned = byTestId('not-provisioned');
  // ?lang=nl for a test or a demo; otherwise the kiosk browser's language.
  useCatalogue(catalogueFor(new URLSearchParams(location.search).get('lang') ?? navigator.language));
  document.documentElement.lang = new URLSearchParams(location.search).get('lang') ?? navigator.language;
  localiseStaticText();
  // A long press with a glove must not open menus or select text on the kiosk.
  document.addEventListener('contextmenu', (event) => event.preventDefault());

  const statusBar = new StatusBar({
    probe: byTestId('probe-state'),
    probeText: byTestId('probe-text'),
    probeAction: byTestId('probe-action'),
    probeDetail: byTestId('probe-detail'),
    fps: byTestId('fps'),
    latency: byTestId('latency'),
    storage: byTestId('storage-left'),
    sync: byTestId('sync-backlog'),
    degradedBanner: byTestId('degraded-banner'),
    lowDiskBanner: byTestId('low-disk-banner'),
    temperatureBanner: byTestId('temperature-banner'),
  });
  const imageView = new ImageView({
    canvas: byTestId<HTMLCanvasElement>('live-image'),
    frame: byTestId('image-frame'),
    area: byTestId('image-area'),
    placeholder: byTestId('image-placeholder'),
    frozenBadge: byTestId('frozen-badge'),
  }, new DepthScale(byTestId('depth-scale')));

  const overlay = new FindingsOverlay(byTestId<HTMLCanvasElement>('findings-overlay'));
  const findingsPanel = new FindingsPanel({
    panel: byTestId('findings-panel'),
    toggle: byTestId<HTMLButtonElement>('overlay-toggle'),
    unavailable: byTestId('findings-unavailable'),
    list: byTestId('findings-list'),
    bLines: byTestId('bline-count'),
    aLines: byTestId('alines-state'),
    sliding: byTestId('sliding-state'),
    quality: byTestId('quality-state'),
    qualityReason: byTestId('quality-reason'),
    regions: byTestId('findings-regions'),
    zone: byTestId('zone-score'),
  }, (on) => overlay.setEnabled(on));
  const examPanel = new ExamPanel({
    panel: byTestId('exam-panel'),
    start: byTestId<HTMLButtonElement>('exam-start'),
    active: byTestId('exam-active'),
    patient: byTestId('exam-patient'),
    map: document.querySelector<SVGSVGElement>('[data-testid="body-map"]')!,
    next: byTestId<HTMLButtonElement>('exam-next'),
    capture: byTestId<HTMLButtonElement>('exam-capture'),
    captureNext: byTestId<HTMLButtonElement>('exam-capture-next'),
    finish: byTestId<HTMLButtonElement>('exam-finish'),
    message: byTestId('exam-message'),
    dialog: {
      root: byTestId('exam-start-dialog'),
      form: document.querySelector<HTMLFormElement>('.exam-dialog')!,
      patientId: byTestId<HTMLInputElement>('exam-patient-id'),
      patientName: byTestId<HTMLInputElement>('exam-patient-name'),
      operator: byTestId<HTMLInputElement>('exam-operator'),
      protocols: byTestId('exam-protocols'),
      cancel: byTestId<HTMLButtonElement>('exam-start-cancel'),
      submit: byTestId<HTMLButtonElement>('exam-start-submit'),
      error: byTestId('exam-start-error'),
    },
    summary: {
      root: byTestId('exam-summary'),
      patient: byTestId('summary-patient'),
      rows: byTestId('summary-rows'),
      total: byTestId('summary-total'),
      sync: byTestId('summary-sync'),
      print: byTestId<HTMLButtonElement>('summary-print'),
      close: byTestId<HTMLButtonElement>('summary-close'),
      back: byTestId<HTMLButtonElement>('summary-back'),
      finish: byTestId<HTMLButtonElement>('summary-finish'),
      title: byTestId('summary-title'),
      hint: byTestId('summary-hint'),
      message: byTestId('summary-message'),
    },
  });
  const examHistory = new ExamHistory({ root: byTestId('exam-history'), list: byTestId('exam-history-list'), start: byTestId('exam-start') });
  // Only a device with a store has the exam API (an unprovisioned one has neither): ask for the
  // open exam once its status says so, instead of a request that can only fail.
  let examChecked = false;
  overlay.onShown = (f) => {
    findingsPanel.show(f);
    // Like the panel, the exam keeps the last zone score shown when a frame has no findings.
    if (f) examPanel.noteFindings(f);
  };
  imageView.onDrawn = (frame) => overlay.frameDrawn(frame);

  const review = new ReviewDialog({
    root: byTestId('review'),
    title: byTestId('review-title'),
    area: byTestId('review-area'),
    box: byTestId('review-frame'),
    image: byTestId<HTMLCanvasElement>('review-image'),
    measureLayer: byTestId<HTMLCanvasElement>('measure-layer'),
    depthScale: byTestId('review-depth-scale'),
    prev: byTestId<HTMLButtonElement>('review-prev'),
    next: byTestId<HTMLButtonElement>('review-next'),
    slider: byTestId<HTMLInputElement>('review-slider'),
    position: byTestId('review-position'),
    bLines: byTestId('review-blines'),
    measure: byTestId<HTMLButtonElement>('measure-toggle'),
    measureValue: byTestId('measure-value'),
    message: byTestId('review-message'),
    close: byTestId<HTMLButtonElement>('review-close'),
  });
  const reviewCine = byTestId<HTMLButtonElement>('review-cine');
  reviewCine.addEventListener('click', () => void review.open(t('review.cineTitle'), openCine));
  examPanel.setClipReviewer((clipId, zone) => void review.open(t('review.clipTitle', { zone }), () => openClip(clipId)));

  let connection: KioskConnection | undefined;
  const controls = new Controls({
    freeze: byTestId<HTMLButtonElement>('freeze-button'),
    depthDown: byTestId<HTMLButtonElement>('depth-down'),
    depthUp: byTestId<HTMLButtonElement>('depth-up'),
    depthValue: byTestId('depth-value'),
    gainDown: byTestId<HTMLButtonElement>('gain-down'),
    gainUp: byTestId<HTMLButtonElement>('gain-up'),
    gainValue: byTestId('gain-value'),
    presets: byTestId('presets'),
  }, (control) => connection?.send(control) ?? false, (frozen) => {
    imageView.setFrozen(frozen);
    // Frame-by-frame review of the cine is offered while the image is frozen (the buffer then stands still).
    reviewCine.hidden = !frozen;
    if (!frozen && review.isOpen) review.close();
  });

  const wsUrl = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
  connection = new KioskConnection(wsUrl, {
    onFrame: (frame) => {
      imageView.push(frame);
      controls.noteFrameDepth((frame.topDepthMm ?? 0) + frame.height * frame.mmPerPixel);
    },
    onFindings: (findings) => overlay.add(findings),
    onStatus: (raw) => {
      const status = readStatus(raw);
      if (!examChecked && typeof raw === 'object' && raw !== null && 'storage' in raw) {
        examChecked = true;
        void examPanel.init();
        examHistory.start();
      }
      examPanel.setCaptureSeconds(status.captureSeconds ?? null);
      findingsPanel.setModel(status.findingsModel);
      statusBar.setStatus(status);
      notProvisioned.hidden = status.provisioned;
      controls.applyStatus(status.settings, status.presets);
    },
    onServerError: (message) => console.warn('kiosk server:', message),
    onConnectionChange: (state) => {
      // A new connection may be a restarted device whose seqs start again.
      if (state === 'open') overlay.clear();
      statusBar.setConnection(state);
      controls.setConnected(state === 'open');
    },
  });
  connection.start();
  window.setInterval(() => statusBar.showMetrics(imageView.takeMetrics()), METRICS_INTERVAL_MS);
}

main();

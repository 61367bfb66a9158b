/**
 * The "Start exam" dialog: patient identifier and name (the API needs both; they stay on the
 * device), operator, and the protocol as three large choices. Resolves with the request, or null
 * when cancelled; the caller posts it and shows a refusal with `showError`.
 */
import { t } from '../i18n/messages.js';
import type { MessageKey } from '../i18n/en.js';
import type { StartExamRequest } from './exam-client.js';
import { EXAM_PROTOCOLS, type ExamProtocolId } from './lung-zones.js';

export interface StartDialogElements {
  root: HTMLElement;
  form: HTMLFormElement;
  patientId: HTMLInputElement;
  patientName: HTMLInputElement;
  operator: HTMLInputElement;
  protocols: HTMLElement;
  cancel: HTMLButtonElement;
  submit: HTMLButtonElement;
  error: HTMLElement;
}

export class StartDialog {
  private protocol: ExamProtocolId = 'lus-8';
  private onSubmit: ((req: StartExamRequest) => void) | null = null;

  constructor(private readonly el: StartDialogElements) {
    for (const p of EXAM_PROTOCOLS) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'protocol-choice';
      b.dataset['protocol'] = p.id;
      b.dataset['testid'] = `protocol-${p.id}`;
      b.textContent = t(`exam.protocol.${p.id}` as MessageKey);
      b.addEventListener('click', () => this.choose(p.id));
      el.protocols.append(b);
    }
    this.choose(this.protocol);
    el.cancel.addEventListener('click', () => this.close());
    for (const input of [el.patientId, el.patientName, el.operator]) input.addEventListener('input', () => this.showError(''));
    el.form.addEventListener('submit', (event) => {
      event.preventDefault();
      const req = {
        patient: { id: el.patientId.value.trim(), name: el.patientName.value.trim() },
        operator: el.operator.value.trim(),
        protocol: this.protocol,
      };
      const missing = !req.patient.id ? el.patientId : !req.patient.name ? el.patientName : !req.operator ? el.operator : null;
      if (missing) {
        this.showError(t('exam.start.missing'));
        missing.focus();
        return;
      }
      this.onSubmit?.(req);
    });
  }

  /** Opens the dialog; `onSubmit` gets each valid request until `close()`. */
  open(onSubmit: (req: StartExamRequest) => void): void {
    this.onSubmit = onSubmit;
    // A new patient each time; the operator usually stays the same.
    this.el.patientId.value = '';
    this.el.patientName.value = '';
    this.showError('');
    this.setBusy(false);
    this.el.root.hidden = false;
    this.el.patientId.focus();
  }

  close(): void {
    this.onSubmit = null;
    this.el.root.hidden = true;
  }

  setBusy(busy: boolean): void {
    this.el.submit.disabled = busy;
  }

  showError(message: string): void {
    this.el.error.textContent = message;
    this.el.error.hidden = message === '';
  }

  private choose(id: ExamProtocolId): void {
    this.protocol = id;
    for (const b of this.el.protocols.querySelectorAll<HTMLButtonElement>('button')) b.setAttribute('aria-pressed', String(b.dataset['protocol'] === id));
  }
}

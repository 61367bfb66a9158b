/**
 * Why an update was refused. Every refusal has a code (for the audit log and the kiosk's
 * maintenance page) and a sentence that says what is wrong and what to do.
 */
export type RefusalCode =
  | 'not-a-bundle'
  | 'truncated'
  | 'too-large'
  | 'bad-manifest'
  | 'unsigned'
  | 'bad-signature'
  | 'unknown-key'
  | 'revoked-key'
  | 'expired-key'
  | 'key-scope'
  | 'expired-bundle'
  | 'wrong-hardware'
  | 'downgrade'
  | 'too-old-to-replace'
  | 'bad-hash'
  | 'bad-size'
  | 'bad-trust-update'
  | 'busy'
  | 'bad-version'
  | 'trial-running'
  | 'no-release-root'
  | 'no-trust'
  | 'no-file';

export class UpdateRefused extends Error {
  override name = 'UpdateRefused';
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(`update refused (${code}): ${message}`);
  }
}

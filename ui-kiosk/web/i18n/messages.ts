import { en, type KioskMessages, type MessageKey } from './en.js';

let catalogue: KioskMessages = en;

/** Switches the language (Dutch comes later); keys missing from a catalogue fall back to English. */
export function useCatalogue(messages: Partial<KioskMessages>): void {
  catalogue = { ...en, ...messages };
}

/** The message for `key`, with {name} placeholders filled; unknown placeholders stay visible. */
export function t(key: MessageKey, values: Record<string, string | number> = {}): string {
  return catalogue[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole);
}

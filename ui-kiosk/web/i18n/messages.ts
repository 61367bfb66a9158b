import { en, type KioskMessages, type MessageKey } from './en.js';
import { nl } from './nl.js';

let catalogue: KioskMessages = en;

const CATALOGUES: Record<string, Partial<KioskMessages>> = { en, nl };

/** The catalogue for a language tag (`nl`, `nl-BE`, `en-GB`, …); English when there is none. */
export function catalogueFor(language: string): Partial<KioskMessages> {
  return CATALOGUES[language.toLowerCase().split('-')[0] ?? 'en'] ?? en;
}

/** Switches the language; keys missing from a catalogue fall back to English. */
export function useCatalogue(messages: Partial<KioskMessages>): void {
  catalogue = { ...en, ...messages };
}

/** The message for `key`, with {name} placeholders filled; unknown placeholders stay visible. */
export function t(key: MessageKey, values: Record<string, string | number> = {}): string {
  return catalogue[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole);
}

/** Whether the catalogue has `key` (for names that may come from configuration, e.g. presets). */
export function hasMessage(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(catalogue, key);
}

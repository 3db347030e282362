export const DEVICE_TRANSCRIPTS: string[];
export function deviceReplayScript(name: string, extraBytes?: number): string;

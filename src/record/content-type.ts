/** TLS record content types (RFC 5246 §6.2.1). */
export const ContentType = { change_cipher_spec: 20, alert: 21, handshake: 22, application_data: 23 } as const;

export function isContentType(type: number): boolean {
  return type >= ContentType.change_cipher_spec && type <= ContentType.application_data;
}

export function contentTypeName(type: number): string {
  for (const [name, value] of Object.entries(ContentType)) if (value === type) return name;
  return `type(${type})`;
}

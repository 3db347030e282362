// microtls/node: Node adapters over the core client. The handshake issue fills this in.
export {};

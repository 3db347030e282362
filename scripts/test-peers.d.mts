export interface Peer {
  bin: string;
  apt: string;
  brew: string;
}
export declare const PEERS: Peer[];
export declare const INSTALL_SCRIPT: string;
export declare function installCommand(): string;
export declare function findPeer(bin: string): string | null;
export declare function missingPeers(): Peer[];

/**
 * Typed errors of `mathmesh/mesh` (design.md, Errors). The `code` is stable across releases; the
 * message says what was wrong and where (class and member), never a secret value.
 */
export type MeshErrorCode =
  | 'MESH_BAD_ENCODING' // the bytes are neither JSON nor JSON-B (or nest too deep)
  | 'MESH_BAD_OBJECT' // not a tagged object `{"Class": {...}}` where one is required
  | 'MESH_UNKNOWN_CLASS' // a tag that names no class where a known class is required
  | 'MESH_WRONG_CLASS' // a class other than the one expected (and not a subclass of it)
  | 'MESH_BAD_MEMBER' // a member of the wrong type (the error names class and member)
  | 'MESH_BAD_ENVELOPE' // an envelope that does not parse, decrypt or verify as its role requires
  | 'MESH_NOT_SIGNED' // an object the envelope matrix says is signed carries no valid signature by the expected key
  | 'MESH_UNAUTHENTICATED' // reference-form data (encrypted without PayloadMac, signatures bound to nothing) read without allowUnauthenticated
  | 'MESH_BAD_KEY' // a key of the wrong algorithm or that does not match its published fingerprint
  // Device state (mesh-model.md §4, §12; the host of sdk/mesh/host):
  | 'MESH_HOME' // the home folder cannot be read or written, or holds something this version does not read
  | 'MESH_PASSPHRASE_REQUIRED' // the home's secrets are sealed under a passphrase and none was given
  | 'MESH_BAD_PASSPHRASE' // the passphrase (or export key) does not open what it should
  | 'MESH_NO_ACCOUNT' // no such account on this device (or several match and none was named)
  | 'MESH_ACCOUNT_EXISTS' // the account is already held by this device
  | 'MESH_NO_SEED' // the operation needs the account seed, which this device does not hold (purged, or never had it)
  | 'MESH_NOT_AUTHORIZED' // this device's roles do not grant the key or store the operation needs
  | 'MESH_QUORUM' // fewer escrow shares than the quorum
  | 'MESH_WRONG_ACCOUNT' // escrow shares (or store files) of another account
  | 'MESH_INVALID' // an object whose contents contradict what they claim (ids, fingerprints, signers)
  | 'MESH_BAD_ARGUMENT' // the caller passed something unusable
  | 'MESH_NOT_FOUND' // no catalog entry / spooled message with that key
  | 'MESH_ALREADY_EXISTS' // add of a key that is live in the catalog, post of a MessageId the spool holds
  | 'MESH_LIFECYCLE' // a catalog frame that breaks (New Update* Delete)* or names the wrong First/Previous (mesh-model.md §8)
  | 'MESH_WRONG_STORE' // a frame or sequence of another store (label, class, or policy recipients)
  | 'MESH_STALE' // prepared frames built against a state the store has left
  | 'MESH_DIVERGED' // downloaded frames contradict frames the service already acknowledged
  // Connections and PINs (mesh-model.md §9.2, §10, §11; protocol.md F2–F4):
  | 'MESH_PIN_INVALID' // no PIN of that id, or a witness that does not verify (which of the two is never said)
  | 'MESH_PIN_USED' // the PIN was used already (its MessagePin is Closed)
  | 'MESH_PIN_EXPIRED' // the PIN's Expires has passed
  | 'MESH_WITNESS' // a connection message whose witness, nonces or device profile do not agree
  | 'MESH_REFUSED'; // an administrator refused the connection (RespondConnection Result Reject)

/** Error thrown by every `mathmesh/mesh` function. */
export class MeshError extends Error {
  readonly code: MeshErrorCode;
  /** The class whose member was wrong (`MESH_BAD_MEMBER`, `MESH_WRONG_CLASS`), when known. */
  readonly className: string | undefined;
  /** The member (wire name) that was wrong, when known. */
  readonly member: string | undefined;
  constructor(code: MeshErrorCode, message: string, options: { cause?: unknown; className?: string; member?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MeshError';
    this.code = code;
    this.className = options.className;
    this.member = options.member;
  }
}

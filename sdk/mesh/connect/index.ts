/**
 * Connecting devices to an account (mesh-model.md §6, §9.2, §10, §11; protocol.md T4, T5, T10,
 * T11, F2–F4): the connection messages, each signed (RequestConnection by the device,
 * AcknowledgeConnection by the service, RespondConnection by the administrator, MessageClaim by
 * the claimant) and checked — the witness binding account, device profile and nonces — PINs,
 * claims, preconfigured devices and connect URIs.
 */
export {
  DEFAULT_PIN_BITS, MIN_PIN_BITS, MAX_PIN_BITS, DEFAULT_PIN_LIFETIME_MS, issuePin, sealMessagePin, openMessagePin, provePin, validatePin,
  closePinReference, pinLookupOf,
  type PinAction, type IssuePinOptions, type IssuedPin, type PinProof, type PinRecord, type PinLookup, type ValidatedPin,
} from './pin.js';
export { buildRequestConnection, verifyRequestConnection, type BuiltRequest, type RequestOptions, type VerifiedRequest } from './request.js';
export {
  buildAcknowledgeConnection, verifyAcknowledgeConnection, requestWitness,
  type AcknowledgeOptions, type BuiltAcknowledge, type VerifiedAcknowledge, type AcknowledgeExpectations,
} from './acknowledge.js';
export { buildRespondConnection, openRespondConnection, type ConnectionResult, type RespondOptions, type OpenedResponse } from './respond.js';
export {
  buildMessageClaim, readMessageClaim, checkClaimForService, checkClaimForDevice, type ClaimOptions, type BuiltClaim,
} from './claim.js';
export {
  preconfigureDevice, writeInstallation, readInstallation, publishedDeviceProfile,
  type PreconfiguredDevice, type PreconfigureOptions, type Installation,
} from './preconfig.js';
export { connectUriOf, parseConnectUri, type ConnectUri } from './uri.js';

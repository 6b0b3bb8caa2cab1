/**
 * Content-type strings hashed into fingerprints (udf.md §3.3).
 *
 * We follow the **reference examples** (udf.md §3.3 [DISAGREE]): the reference passes its
 * *constant names* (`PKIXKey`, `UDFEncryption`, …) as the content type, and every published key
 * fingerprint, OID fingerprint and EARL identifier reproduces only with those literals. The
 * draft's media types are kept in {@link DRAFT_CONTENT_TYPE} for completeness; they do not
 * interoperate with any existing Mesh data.
 */
export const CONTENT_TYPE = {
  /** Public-key fingerprint: the `Udf` of every Mesh key, used as `kid` (udf.md §6.4). */
  PKIX_KEY: 'PKIXKey',
  /** EARL / encryption-key identifier (udf.md §9). */
  UDF_ENCRYPTION: 'UDFEncryption',
  PKIX_CERT: 'PKIXCert',
  PKIX_CRL: 'PKIXCRL',
  OPENPGP_KEY: 'OpenPGPKey',
  DNS: 'DNS',
  UDF_LOCK: 'UDFLock',
  /** Message envelope id (udf.md §12, schema-08 §6.2). */
  ENVELOPE_ID: 'application/mmm/envelopeid',
  /** Message response id (udf.md §12). */
  RESPONSE_ID: 'application/mmm/responseid',
} as const;

/** The draft's media types for the same roles (Generated-UDFConstantsContentTypeValues.md); not what the reference hashes. */
export const DRAFT_CONTENT_TYPE = {
  PKIX_KEY: 'application/pkix-keyinfo',
  UDF_ENCRYPTION: 'application/udf-encryption',
  PKIX_CERT: 'application/pkix-cert',
  PKIX_CRL: 'application/pkix-crl',
  OPENPGP_KEY: 'application/pgp-keys',
  DNS: 'application/dns',
  UDF_LOCK: 'application/udf-lock',
} as const;

/**
 * EARL resolution path. We follow the examples, `/.well-known/mmm-udf/` (udf.md §9 [DISAGREE]);
 * the draft's default endpoint is {@link DRAFT_EARL_WELL_KNOWN_PATH}.
 */
export const EARL_WELL_KNOWN_PATH = '/.well-known/mmm-udf/';
/** The draft's EARL endpoint (draft-hallambaker-mesh-udf-13 §6.2.1); not used by the examples. */
export const DRAFT_EARL_WELL_KNOWN_PATH = '/.well-known/srv/mmm-udf/';

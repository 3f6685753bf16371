/**
 * Envelope encryption of provider credentials (AES-256-GCM twice): every secret gets its own random
 * 256-bit data key, which encrypts the secret's JSON; the data key itself is stored wrapped by a
 * master key. Rotating or revoking the master key never requires touching the secrets' ciphertext.
 *
 * The master key sits behind `KeyWrapper`: the configured CREDENTIALS_ENCRYPTION_KEY
 * (`LocalKeyWrapper`) or a KMS key (`KmsKeyWrapper`: GenerateDataKey returns the data key in
 * plaintext and wrapped, Decrypt unwraps it). `keyId` records which one wrapped each secret — the
 * local key's fingerprint or the KMS key ARN — so a box configured with both seals with the first
 * and still opens what the other sealed (moving from a local key to KMS). The envelope format is
 * the same for both.
 *
 * The envelope's `context` (e.g. "demo/AWS") is authenticated data: an envelope copied onto another
 * client's connection does not open there.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

const ALGORITHM = "aes-256-gcm";
/** Data keys and a local master key are AES-256 keys. */
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What the store keeps (JSON-serialized; binary fields base64). */
export interface SecretEnvelope {
  v: 1;
  wrappedKey: string;
  iv: string;
  tag: string;
  ciphertext: string;
  /** Which master key wrapped the data key: a local key's fingerprint or a KMS key ARN. */
  keyId: string;
}

export interface DataKey {
  plaintext: Buffer;
  wrapped: string;
  keyId: string;
}

/** The master key's two operations (the shape of KMS GenerateDataKey and Decrypt). */
export interface KeyWrapper {
  /** Whether a data key wrapped under this key id is this wrapper's to unwrap. */
  handles(keyId: string): boolean;
  generateDataKey(context: string): Promise<DataKey>;
  /** Throws SecretBoxError when the key was not wrapped by this master key or was altered. */
  unwrapDataKey(wrapped: string, keyId: string, context: string): Promise<Buffer>;
}

/** Decryption failed. The message says why in general terms only: never key material or plaintext. */
export class SecretBoxError extends Error {
  override name = "SecretBoxError";
}

/**
 * The key service could not be used (KMS throttled, down, or refusing this process). `retryable`
 * says whether trying later may succeed; the stored secret itself is not in question.
 */
export class KeyServiceError extends Error {
  override name = "KeyServiceError";
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

interface Sealed {
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

function seal(key: Buffer, plaintext: Buffer, aad: string): Sealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

/** Null when authentication fails (tampered data, wrong key or wrong context). */
function open(key: Buffer, sealed: Sealed, aad: string): Buffer | null {
  try {
    const decipher = createDecipheriv(ALGORITHM, key, sealed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, "utf8"));
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  } catch {
    return null;
  }
}

/** The master key from configuration wraps data keys; the stored wrappedKey is iv | tag | ciphertext. */
export class LocalKeyWrapper implements KeyWrapper {
  private readonly masterKey: Buffer;
  readonly keyId: string;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== KEY_BYTES) {
      throw new RangeError(`master key: must be ${KEY_BYTES} bytes, got ${masterKey.length}`);
    }
    this.masterKey = Buffer.from(masterKey);
    // A fingerprint says which key wrapped a secret (for rotation) without revealing anything of it.
    this.keyId = `local:${createHash("sha256").update(masterKey).digest("hex").slice(0, 16)}`;
  }

  handles(keyId: string): boolean {
    return keyId.startsWith("local:");
  }

  async generateDataKey(context: string): Promise<DataKey> {
    const plaintext = randomBytes(KEY_BYTES);
    const { iv, tag, ciphertext } = seal(this.masterKey, plaintext, `wrap:v1:${context}`);
    return { plaintext, wrapped: Buffer.concat([iv, tag, ciphertext]).toString("base64"), keyId: this.keyId };
  }

  async unwrapDataKey(wrapped: string, keyId: string, context: string): Promise<Buffer> {
    if (keyId !== this.keyId) {
      throw new SecretBoxError(
        `credentials were encrypted with master key ${keyId}, but the configured key is ${this.keyId}`,
      );
    }
    const bytes = Buffer.from(wrapped, "base64");
    const key = open(
      this.masterKey,
      {
        iv: bytes.subarray(0, IV_BYTES),
        tag: bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES),
        ciphertext: bytes.subarray(IV_BYTES + TAG_BYTES),
      },
      `wrap:v1:${context}`,
    );
    if (!key || key.length !== KEY_BYTES) {
      throw new SecretBoxError(
        "credentials could not be decrypted: the wrapped data key failed authentication",
      );
    }
    return key;
  }
}

function parseEnvelope(serialized: string): SecretEnvelope {
  let value: unknown;
  try {
    value = JSON.parse(serialized);
  } catch {
    throw new SecretBoxError("credentials could not be decrypted: the envelope is not JSON");
  }
  const envelope = value as Partial<SecretEnvelope> | null;
  const fields = ["wrappedKey", "iv", "tag", "ciphertext", "keyId"] as const;
  if (envelope?.v !== 1 || !fields.every((field) => typeof envelope[field] === "string")) {
    throw new SecretBoxError("credentials could not be decrypted: not a version 1 secret envelope");
  }
  return envelope as SecretEnvelope;
}

export class SecretBox {
  private readonly wrappers: readonly KeyWrapper[];

  /** Seals with `sealWith`; opens with whichever of it and `alsoOpenWith` handles the envelope's key. */
  constructor(
    private readonly sealWith: KeyWrapper,
    alsoOpenWith: readonly KeyWrapper[] = [],
  ) {
    this.wrappers = [sealWith, ...alsoOpenWith];
  }

  /** Encrypts the JSON of `secret` under a fresh data key; returns the serialized envelope. */
  async seal(secret: unknown, context: string): Promise<string> {
    const dataKey = await this.sealWith.generateDataKey(context);
    try {
      const sealed = seal(
        dataKey.plaintext,
        Buffer.from(JSON.stringify(secret), "utf8"),
        `data:v1:${context}`,
      );
      const envelope: SecretEnvelope = {
        v: 1,
        wrappedKey: dataKey.wrapped,
        iv: sealed.iv.toString("base64"),
        tag: sealed.tag.toString("base64"),
        ciphertext: sealed.ciphertext.toString("base64"),
        keyId: dataKey.keyId,
      };
      return JSON.stringify(envelope);
    } finally {
      dataKey.plaintext.fill(0);
    }
  }

  /** Decrypts an envelope made by `seal` with the same context; SecretBoxError otherwise. */
  async open(serialized: string, context: string): Promise<unknown> {
    const envelope = parseEnvelope(serialized);
    const wrapper = this.wrappers.find((candidate) => candidate.handles(envelope.keyId));
    if (!wrapper) {
      throw new SecretBoxError(
        `credentials were encrypted with master key ${envelope.keyId}, which this process is not configured to use`,
      );
    }
    const key = await wrapper.unwrapDataKey(envelope.wrappedKey, envelope.keyId, context);
    try {
      const plaintext = open(
        key,
        {
          iv: Buffer.from(envelope.iv, "base64"),
          tag: Buffer.from(envelope.tag, "base64"),
          ciphertext: Buffer.from(envelope.ciphertext, "base64"),
        },
        `data:v1:${context}`,
      );
      if (!plaintext) {
        throw new SecretBoxError("credentials could not be decrypted: the ciphertext failed authentication");
      }
      return JSON.parse(plaintext.toString("utf8")) as unknown;
    } finally {
      key.fill(0);
    }
  }
}

/** A secret box whose only master key is a local one. */
export function createLocalSecretBox(masterKey: Buffer): SecretBox {
  return new SecretBox(new LocalKeyWrapper(masterKey));
}

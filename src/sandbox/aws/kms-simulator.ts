/**
 * An AWS KMS stand-in on loopback for @aws-sdk/client-kms: GenerateDataKey and Decrypt of symmetric
 * keys (`TrentService.*`, application/x-amz-json-1.1), named by key id, key ARN, alias name or alias
 * ARN. The ciphertext blob is opaque to callers, as in KMS: it names the key that made it and is
 * bound to the request's EncryptionContext, so a blob decrypted under another context, tampered
 * with, or sent with another KeyId fails the way KMS fails (InvalidCiphertextException,
 * IncorrectKeyException). Keys can be disabled; callers must sign with a known access key id.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from "node:crypto";
import type { FaultPlan } from "../faults.js";
import {
  AwsApiError,
  requireKnownCaller,
  startAwsJsonServer,
  type AwsJsonCall,
  type ErrorFault,
} from "./aws-json-server.js";

const REGION = "us-east-1";
const ACCOUNT = "111122223333";
const BLOB_VERSION = 1;
const KEY_ID_BYTES = 36;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface KmsSimulatorOptions {
  /** Access key ids allowed to call (others get UnrecognizedClientException). */
  accessKeyIds: readonly string[];
  /** Alias names (without "alias/") of the keys to create; one key each. Default ["cost-analytics-credentials"]. */
  aliases?: readonly string[];
  port?: number;
}

export interface KmsSimulator {
  endpoint: string;
  /** The ARN of each key, by alias name. */
  keyArns: Record<string, string>;
  faults: FaultPlan;
  requestCount(operation?: "GenerateDataKey" | "Decrypt"): number;
  /** Makes every later request that uses this key fail with DisabledException (true) or succeed again. */
  setKeyDisabled(keyArn: string, disabled: boolean): void;
  stop(): Promise<void>;
}

interface SimulatedKey {
  id: string;
  arn: string;
  material: Buffer;
  disabled: boolean;
}

/** What this service answers to an injected fault. */
const FAULT_ERRORS: Record<ErrorFault, AwsApiError> = {
  throttle: new AwsApiError("ThrottlingException", "Rate exceeded"),
  "server-error": new AwsApiError("KMSInternalException", "An internal error occurred.", 500),
  auth: new AwsApiError("ExpiredTokenException", "The security token included in the request is expired"),
  forbidden: new AwsApiError(
    "AccessDeniedException",
    "User is not authorized to perform: kms:Decrypt because no identity-based policy allows the kms:Decrypt action",
  ),
};

/** KMS binds a ciphertext to its encryption context regardless of the pairs' order. */
function contextAad(value: unknown): Buffer {
  const context = (value ?? {}) as Record<string, unknown>;
  if (typeof context !== "object" || Array.isArray(context)) {
    throw new AwsApiError("ValidationException", "EncryptionContext must be a map of strings");
  }
  const pairs = Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (pairs.some(([, v]) => typeof v !== "string")) {
    throw new AwsApiError("ValidationException", "EncryptionContext must be a map of strings");
  }
  return Buffer.from(JSON.stringify(pairs), "utf8");
}

function base64Field(input: Record<string, unknown>, field: string): Buffer {
  const value = input[field];
  if (typeof value !== "string" || value.length === 0) {
    throw new AwsApiError(
      "ValidationException",
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return Buffer.from(value, "base64");
}

export async function startKmsSimulator(options: KmsSimulatorOptions): Promise<KmsSimulator> {
  const callers = new Set(options.accessKeyIds);
  const keys = new Map<string, SimulatedKey>();
  const aliases = new Map<string, SimulatedKey>();
  for (const alias of options.aliases ?? ["cost-analytics-credentials"]) {
    const id = randomUUID();
    const key = {
      id,
      arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`,
      material: randomBytes(32),
      disabled: false,
    };
    keys.set(id, key);
    aliases.set(alias, key);
  }

  /** KMS accepts a key id, key ARN, alias name or alias ARN wherever a KeyId goes. */
  function resolveKey(keyId: unknown): SimulatedKey {
    if (typeof keyId !== "string" || keyId.length === 0) {
      throw new AwsApiError(
        "ValidationException",
        "1 validation error detected: Value at 'keyId' failed to satisfy constraint: Member must not be null",
      );
    }
    const alias = /^(?:arn:aws:kms:[^:]+:\d{12}:)?alias\/(.+)$/.exec(keyId)?.[1];
    const key =
      alias !== undefined
        ? aliases.get(alias)
        : keys.get(keyId.replace(/^arn:aws:kms:[^:]+:\d{12}:key\//, ""));
    if (!key) throw new AwsApiError("NotFoundException", `Key '${keyId}' does not exist`);
    return key;
  }

  function usable(key: SimulatedKey): SimulatedKey {
    if (key.disabled) throw new AwsApiError("DisabledException", `${key.arn} is disabled.`);
    return key;
  }

  function generateDataKey(input: Record<string, unknown>) {
    const key = usable(resolveKey(input.KeyId));
    const { KeySpec: spec, NumberOfBytes: count } = input;
    if ((spec === undefined) === (count === undefined)) {
      throw new AwsApiError("ValidationException", "Please specify either number of bytes or key spec.");
    }
    const length = spec === "AES_256" ? 32 : spec === "AES_128" ? 16 : count;
    if (typeof length !== "number" || !Number.isInteger(length) || length < 1 || length > 1024) {
      throw new AwsApiError(
        "ValidationException",
        "KeySpec must be AES_256 or AES_128, or NumberOfBytes 1 to 1024",
      );
    }
    const plaintext = randomBytes(length);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", key.material, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(contextAad(input.EncryptionContext));
    const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const blob = Buffer.concat([
      Buffer.from([BLOB_VERSION]),
      Buffer.from(key.id, "ascii"),
      iv,
      cipher.getAuthTag(),
      sealed,
    ]);
    return {
      KeyId: key.arn,
      CiphertextBlob: blob.toString("base64"),
      Plaintext: plaintext.toString("base64"),
    };
  }

  function decrypt(input: Record<string, unknown>) {
    const blob = base64Field(input, "CiphertextBlob");
    const headerBytes = 1 + KEY_ID_BYTES + IV_BYTES + TAG_BYTES;
    const key =
      blob.length > headerBytes && blob[0] === BLOB_VERSION
        ? keys.get(blob.subarray(1, 1 + KEY_ID_BYTES).toString("ascii"))
        : undefined;
    if (!key) throw new AwsApiError("InvalidCiphertextException", "");
    if (input.KeyId !== undefined && resolveKey(input.KeyId) !== key) {
      throw new AwsApiError(
        "IncorrectKeyException",
        "The key ID in the request does not identify a CMK that can perform this operation.",
      );
    }
    usable(key);
    let offset = 1 + KEY_ID_BYTES;
    const iv = blob.subarray(offset, (offset += IV_BYTES));
    const tag = blob.subarray(offset, (offset += TAG_BYTES));
    try {
      const decipher = createDecipheriv("aes-256-gcm", key.material, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(contextAad(input.EncryptionContext));
      decipher.setAuthTag(tag);
      const plaintext = Buffer.concat([decipher.update(blob.subarray(offset)), decipher.final()]);
      return {
        KeyId: key.arn,
        Plaintext: plaintext.toString("base64"),
        EncryptionAlgorithm: "SYMMETRIC_DEFAULT",
      };
    } catch {
      throw new AwsApiError("InvalidCiphertextException", "");
    }
  }

  const server = await startAwsJsonServer({
    jsonVersion: "1.1",
    targetPrefix: "TrentService",
    operations: new Set(["GenerateDataKey", "Decrypt"]),
    faultErrors: FAULT_ERRORS,
    answer: ({ operation, input, accessKeyId }: AwsJsonCall) => {
      requireKnownCaller(accessKeyId, callers);
      return operation === "GenerateDataKey" ? generateDataKey(input) : decrypt(input);
    },
    ...(options.port === undefined ? {} : { port: options.port }),
  });

  return {
    endpoint: server.endpoint,
    keyArns: Object.fromEntries([...aliases].map(([alias, key]) => [alias, key.arn])),
    faults: server.faults,
    requestCount: server.requestCount,
    setKeyDisabled: (keyArn, disabled) => {
      resolveKey(keyArn).disabled = disabled;
    },
    stop: server.stop,
  };
}

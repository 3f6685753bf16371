/**
 * AWS KMS as the master key of the provider-secret envelopes: GenerateDataKey (AES_256) makes each
 * secret's data key, Decrypt unwraps it. The envelope context travels as the KMS EncryptionContext,
 * so KMS itself refuses a wrapped key moved to another connection, and CloudTrail shows which
 * connection each Decrypt was for. The configured key may be an ARN, a key id or an alias; envelopes
 * record the key ARN KMS answers with, and Decrypt names it, so rotating the alias to a new key
 * keeps older secrets readable.
 */
import {
  DecryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
  KMSServiceException,
  type KMSClientConfig,
} from "@aws-sdk/client-kms";
import { awsErrorSummary, isTransientAwsError } from "../shared/aws-error-summary.js";
import { KEY_BYTES, KeyServiceError, SecretBoxError, type DataKey, type KeyWrapper } from "./secret-box.js";

const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

/** KMS answers about the ciphertext itself: the stored secret is wrong, not the service. */
const CIPHERTEXT_ERRORS = new Set(["InvalidCiphertextException", "IncorrectKeyException"]);

export interface KmsClientOptions {
  region: string;
  /** A KMS-compatible endpoint (a VPC endpoint, or a simulator in tests). */
  endpoint?: string;
  /** Default: the SDK's credential chain (the task role in AWS). */
  credentials?: KMSClientConfig["credentials"];
  /** Milliseconds one attempt may take before it is abandoned (and retried by the SDK). */
  requestTimeoutMs?: number;
}

export function createKmsClient(options: KmsClientOptions): KMSClient {
  return new KMSClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    requestHandler: { requestTimeout: options.requestTimeoutMs ?? 5_000 },
  });
}

function encryptionContext(context: string): Record<string, string> {
  return { purpose: "cost-analytics/provider-credentials", connection: context };
}

export class KmsKeyWrapper implements KeyWrapper {
  constructor(
    private readonly kms: KMSClient,
    /** The key GenerateDataKey uses: key ARN, key id, alias name ("alias/...") or alias ARN. */
    private readonly keyId: string,
  ) {}

  handles(keyId: string): boolean {
    return KMS_KEY_ARN.test(keyId);
  }

  async generateDataKey(context: string): Promise<DataKey> {
    const output = await this.call("GenerateDataKey", () =>
      this.kms.send(
        new GenerateDataKeyCommand({
          KeyId: this.keyId,
          KeySpec: "AES_256",
          EncryptionContext: encryptionContext(context),
        }),
      ),
    );
    const { Plaintext, CiphertextBlob, KeyId } = output;
    if (Plaintext?.length !== KEY_BYTES || !CiphertextBlob || !KeyId || !this.handles(KeyId)) {
      throw new KeyServiceError("KMS GenerateDataKey answered without a 256-bit data key and key ARN", false);
    }
    return {
      plaintext: Buffer.from(Plaintext),
      wrapped: Buffer.from(CiphertextBlob).toString("base64"),
      keyId: KeyId,
    };
  }

  async unwrapDataKey(wrapped: string, keyId: string, context: string): Promise<Buffer> {
    const output = await this.call("Decrypt", () =>
      this.kms.send(
        new DecryptCommand({
          KeyId: keyId,
          CiphertextBlob: Buffer.from(wrapped, "base64"),
          EncryptionContext: encryptionContext(context),
        }),
      ),
    );
    if (output.Plaintext?.length !== KEY_BYTES) {
      throw new SecretBoxError("credentials could not be decrypted: KMS returned no 256-bit data key");
    }
    return Buffer.from(output.Plaintext);
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof KMSServiceException && CIPHERTEXT_ERRORS.has(error.name)) {
        throw new SecretBoxError(
          `credentials could not be decrypted: KMS refused the wrapped data key (${error.name})`,
        );
      }
      throw new KeyServiceError(
        `KMS ${operation} failed: ${awsErrorSummary(error)}`,
        isTransientAwsError(error),
      );
    }
  }
}

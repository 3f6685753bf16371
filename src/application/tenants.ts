/**
 * Tenants and their provider connections: read a client, list the clients a caller may see, create
 * one (admins), connect a provider or test its credentials (editors and admins of the client).
 * Reads go through the request's loaders; writes through the client manager, which validates,
 * health-checks and encrypts.
 */
import type { Client, ProviderConnection } from "../domain/client.js";
import type { Authentication } from "../domain/identity.js";
import { validateSafeId } from "../domain/validation.js";
import type {
  ClientManager,
  ConnectionCheck,
  ConnectProviderInput,
  CreateClientInput,
  TestConnectionInput,
} from "../tenancy/client-manager.js";
import type { ClientStore } from "../store/client-store.js";
import { candidatesOf, pageOf } from "../store/page.js";
import { isAdmin, requireAdmin, requireCaller, requireEdit, requireRead } from "./authorization.js";
import type { Connection, CursorCodec, PageRequest } from "./cursors.js";
import type { Loaders } from "./request-loaders.js";

/** What testConnection answers, for the edge to show. */
export type { ConnectionCheck };

/** Each cloud's credentials schema: the edge parses a caller's input with it, once. */
export {
  InvalidProviderCredentialsError,
  parseProviderCredentials,
  type CredentialInputField,
  type ProviderCredentials,
} from "../providers/credentials.js";

export interface TenantDeps {
  clients: ClientStore;
  clientManager: ClientManager;
  loaders: Loaders;
  cursors: CursorCodec;
}

const CLIENTS_SCOPE = "clients";

export class Tenants {
  constructor(private readonly deps: TenantDeps) {}

  /** A client the caller may read; null when it does not exist. */
  async client(auth: Authentication, id: string): Promise<Client | null> {
    validateSafeId(id, "id");
    requireRead(auth, id);
    return this.deps.loaders.client.load(id);
  }

  /**
   * The clients the caller may read, in id order: all for admins, their own tenants for others.
   * `readAhead` is told a non-admin's page before its profiles are read (its ids are known from the
   * token), so the caller can start the page's other reads beside them.
   */
  async clients(
    auth: Authentication,
    page: PageRequest,
    readAhead?: (clientIds: readonly string[]) => void,
  ): Promise<Connection<Client>> {
    const caller = requireCaller(auth);
    // A non-admin's list is their own tenants: the cursor can never reach past them.
    const ownIds = [...new Set(caller.clientIds)].sort();
    const existing = async (ids: string[]) =>
      (await this.deps.loaders.client.loadMany(ids)).filter(
        (client): client is Client => client !== null && !(client instanceof Error),
      );
    return this.deps.cursors.page(
      CLIENTS_SCOPE,
      page,
      (client: Client) => client.id,
      async (window) => {
        if (isAdmin(caller)) return this.deps.clients.list(window);
        const ids = candidatesOf(ownIds, window, (id) => id).slice(0, window.size + 1);
        readAhead?.(ids.slice(0, window.size));
        return pageOf(await existing(ids), window);
      },
      async () => (isAdmin(caller) ? this.deps.clients.count() : (await existing(ownIds)).length),
    );
  }

  /** Never exposes a secret. */
  async connections(auth: Authentication, clientId: string): Promise<ProviderConnection[]> {
    requireRead(auth, clientId);
    return this.deps.loaders.connections.load(clientId);
  }

  async createClient(auth: Authentication, input: CreateClientInput): Promise<Client> {
    const caller = requireAdmin(auth);
    return this.deps.clientManager.createClient(caller, input);
  }

  /**
   * Validates the credentials and checks them; stores them encrypted unless they fail over a stored
   * connection (which is kept). `saveUnverified` stores them unchecked.
   */
  async connectProvider(auth: Authentication, input: ConnectProviderInput): Promise<ProviderConnection> {
    const clientId = validateSafeId(input.clientId, "clientId");
    requireEdit(auth, clientId);
    return this.deps.clientManager.connectProvider({ ...input, clientId });
  }

  /** Checks credentials as connectProvider would (same rights), storing nothing. */
  async testConnection(auth: Authentication, input: TestConnectionInput): Promise<ConnectionCheck> {
    const clientId = validateSafeId(input.clientId, "clientId");
    requireEdit(auth, clientId);
    return this.deps.clientManager.testConnection({ ...input, clientId });
  }
}

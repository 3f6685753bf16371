import { Field, FieldResolver, Int, ObjectType, Resolver, Root, type ClassType } from "type-graphql";
import type { Connection, Edge } from "../../application/cursors.js";

export type { Connection, Edge };

@ObjectType({ description: "Where a page of a Relay connection lies in its list." })
export class PageInfo {
  @Field(() => Boolean, {
    description: "Items follow the last edge (known when paging forward or before a cursor).",
  })
  hasNextPage!: boolean;

  @Field(() => Boolean, {
    description: "Items precede the first edge (known when paging backward or after a cursor).",
  })
  hasPreviousPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description: "The first edge's cursor; null when there are no edges.",
  })
  startCursor!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The last edge's cursor; null when there are no edges.",
  })
  endCursor!: string | null;
}

/** The resolvers of every connection's totalCount: the schema registers them with the others. */
export const CONNECTION_RESOLVERS: ClassType[] = [];

/** Relay connection and edge types for a node type: one definition serves every list of the API. */
export function relayConnectionType<T extends object>(
  name: string,
  nodeType: ClassType<T>,
  totalCountDescription: string,
): ClassType<Connection<T>> {
  @ObjectType(`${name}Edge`, { description: `One ${name} of a page, with its cursor.` })
  class EdgeType implements Edge<T> {
    @Field(() => String, { description: "Pass as `after` or `before` to page from this edge." })
    cursor!: string;

    @Field(() => nodeType, { description: `The ${name}.` })
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} objects (a Relay connection).` })
  class ConnectionType implements Connection<T> {
    @Field(() => [EdgeType], { description: "The page's items, in the list's order." })
    edges!: Edge<T>[];

    @Field(() => PageInfo, { description: "Where the page lies in the list." })
    pageInfo!: PageInfo;

    totalCount?: () => Promise<number>;
  }

  // Counting costs a read: only a selected totalCount calls the list's counter.
  @Resolver(() => ConnectionType)
  class CountResolver {
    @FieldResolver(() => Int, { nullable: true, description: totalCountDescription })
    totalCount(@Root() connection: Connection<T>): Promise<number> | null {
      return connection.totalCount?.() ?? null;
    }
  }
  CONNECTION_RESOLVERS.push(CountResolver);
  return ConnectionType;
}

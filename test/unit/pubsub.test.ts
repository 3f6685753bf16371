import { describe, expect, it } from "vitest";
import { InProcessPubSub, SubscriberTooSlowError, type Topic } from "../../src/live/pubsub.js";

interface Ping {
  n: number;
}
const acme = "pings:acme" as Topic<Ping>;
const globex = "pings:globex" as Topic<Ping>;

async function publishAll(pubsub: InProcessPubSub, topic: Topic<Ping>, count: number) {
  for (let n = 1; n <= count; n++) await pubsub.publish(topic, { n });
}

describe("InProcessPubSub", () => {
  it("delivers a topic's events in order to its subscribers only", async () => {
    const pubsub = new InProcessPubSub();
    const mine = pubsub.subscribe(acme);
    const theirs = pubsub.subscribe(globex);
    await publishAll(pubsub, acme, 3);
    expect(await mine.next()).toEqual({ value: { n: 1 }, done: false });
    expect(await mine.next()).toEqual({ value: { n: 2 }, done: false });
    expect(await mine.next()).toEqual({ value: { n: 3 }, done: false });
    const waiting = theirs.next();
    await pubsub.publish(globex, { n: 99 });
    // The first globex event is the one published after: nothing of acme's leaked into its queue.
    expect(await waiting).toEqual({ value: { n: 99 }, done: false });
  });

  it("wakes a waiting subscriber when an event is published", async () => {
    const pubsub = new InProcessPubSub();
    const subscription = pubsub.subscribe(acme);
    const pending = subscription.next();
    await pubsub.publish(acme, { n: 7 });
    expect(await pending).toEqual({ value: { n: 7 }, done: false });
  });

  it("closes a subscriber that falls more than bufferSize events behind, and only that one", async () => {
    const pubsub = new InProcessPubSub();
    const slow = pubsub.subscribe(acme, { bufferSize: 3 });
    const fast = pubsub.subscribe(acme, { bufferSize: 10 });
    await publishAll(pubsub, acme, 4);
    await expect(slow.next()).rejects.toThrow(new SubscriberTooSlowError(3).message);
    expect(new SubscriberTooSlowError(3).message).toBe("subscriber too slow: more than 3 undelivered events");
    expect(await slow.next()).toEqual({ value: undefined, done: true });
    expect(pubsub.subscriberCount(acme)).toBe(1);
    const received: number[] = [];
    for (let i = 0; i < 4; i++) received.push(((await fast.next()).value as Ping).n);
    expect(received).toEqual([1, 2, 3, 4]);
  });

  it("keeps a subscriber that stays within its buffer", async () => {
    const pubsub = new InProcessPubSub({ defaultBufferSize: 3 });
    const subscription = pubsub.subscribe(acme);
    await publishAll(pubsub, acme, 3);
    expect(pubsub.subscriberCount(acme)).toBe(1);
    expect((await subscription.next()).value).toEqual({ n: 1 });
  });

  it("unsubscribes when the consumer leaves a for-await loop", async () => {
    const pubsub = new InProcessPubSub();
    const subscriptions = [pubsub.subscribe(acme), pubsub.subscribe(acme), pubsub.subscribe(globex)];
    expect(pubsub.subscriberCount(acme)).toBe(2);
    await publishAll(pubsub, acme, 1);
    for (const subscription of subscriptions.slice(0, 2)) {
      for await (const event of subscription) {
        expect(event).toEqual({ n: 1 });
        break;
      }
    }
    expect(pubsub.subscriberCount(acme)).toBe(0);
    await subscriptions[2]?.return?.();
    expect(pubsub.subscriberCount(globex)).toBe(0);
    expect(pubsub.topicCount()).toBe(0);
    await pubsub.publish(acme, { n: 2 });
    expect(await subscriptions[0]?.next()).toEqual({ value: undefined, done: true });
  });

  it("close() finishes a waiting subscriber; close(reason) makes it throw the reason", async () => {
    const pubsub = new InProcessPubSub();
    const finished = pubsub.subscribe(acme);
    const failed = pubsub.subscribe(acme);
    const finishedNext = finished.next();
    const failedNext = failed.next();
    finished.close();
    failed.close(new Error("server shutting down"));
    expect(await finishedNext).toEqual({ value: undefined, done: true });
    await expect(failedNext).rejects.toThrow("server shutting down");
    expect(pubsub.subscriberCount(acme)).toBe(0);
  });

  it("close() of the pubsub ends every subscription", async () => {
    const pubsub = new InProcessPubSub();
    const subscriptions = [pubsub.subscribe(acme), pubsub.subscribe(globex)];
    await pubsub.close();
    for (const subscription of subscriptions) {
      expect(await subscription.next()).toEqual({ value: undefined, done: true });
    }
    expect(pubsub.topicCount()).toBe(0);
  });

  it("rejects a buffer size that is not a positive whole number, naming it", () => {
    const pubsub = new InProcessPubSub();
    expect(() => pubsub.subscribe(acme, { bufferSize: 0 })).toThrow(
      /bufferSize must be a positive whole number/,
    );
    expect(() => new InProcessPubSub({ defaultBufferSize: 1.5 })).toThrow(/bufferSize/);
    expect(pubsub.subscriberCount(acme)).toBe(0);
  });

  it("tells a broker when a topic gets its first subscriber and loses its last, and waits for its confirmation", async () => {
    const calls: string[] = [];
    let confirm: () => void = () => undefined;
    const pubsub = new InProcessPubSub({
      onTopicOpened: (topic) => {
        calls.push(`open ${topic}`);
        return new Promise<void>((resolve) => (confirm = resolve));
      },
      onTopicClosed: (topic) => calls.push(`close ${topic}`),
    });
    const first = pubsub.subscribe(acme);
    const second = pubsub.subscribe(acme);
    let ready = false;
    void second.ready.then(() => (ready = true));
    await Promise.resolve();
    expect(ready).toBe(false);
    confirm();
    await Promise.all([first.ready, second.ready]);
    expect(ready).toBe(true);
    await first.return();
    expect(calls).toEqual([`open ${acme}`]);
    await second.return();
    expect(calls).toEqual([`open ${acme}`, `close ${acme}`]);
    pubsub.subscribe(acme);
    expect(calls).toEqual([`open ${acme}`, `close ${acme}`, `open ${acme}`]);
  });

  it("passes a broker's refusal to the topic's subscribers without an unhandled rejection", async () => {
    const pubsub = new InProcessPubSub({ onTopicOpened: () => Promise.reject(new Error("refused")) });
    const ignored = pubsub.subscribe(acme);
    const awaited = pubsub.subscribe(acme);
    await expect(awaited.ready).rejects.toThrow("refused");
    // Deciding what a refusal means is the subscriber's business: the pubsub itself still delivers.
    await pubsub.publish(acme, { n: 1 });
    expect(await ignored.next()).toEqual({ value: { n: 1 }, done: false });
  });

  it("lets a subscriber that sends each event out (one I/O turn each) keep up with a publisher's burst", async () => {
    const pubsub = new InProcessPubSub({ defaultBufferSize: 10 });
    const subscription = pubsub.subscribe(acme);
    const burst = 300;
    const received: number[] = [];
    const reader = (async () => {
      for await (const event of subscription) {
        received.push(event.n);
        // What a socket write costs the subscriber's loop: a turn of the event loop.
        await new Promise((resolve) => setImmediate(resolve));
        if (received.length === burst) return;
      }
    })();
    // The stream consumer catching up: a burst far over the buffer, each publish awaited.
    for (let n = 1; n <= burst; n++) await pubsub.publish(acme, { n });
    await reader;
    expect(received).toEqual(Array.from({ length: burst }, (_, i) => i + 1));
  });
});

/** The last lines a child process wrote, bounded, for error messages about why it failed. */
export class OutputTail {
  private buffer = "";

  constructor(private readonly maxChars = 4_000) {}

  append(chunk: Buffer | string): void {
    this.buffer = (this.buffer + chunk.toString()).slice(-this.maxChars);
  }

  /** Whole lines only (a cut first line is dropped), trimmed. */
  text(): string {
    const cut = this.buffer.length >= this.maxChars ? this.buffer.indexOf("\n") + 1 : 0;
    return this.buffer.slice(cut).trim();
  }
}

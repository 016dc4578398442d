/**
 * The last `capacity` lines of a text stream (ffmpeg's stderr), fed in
 * arbitrary chunks. A line is stored once its newline (or carriage return)
 * arrives, after `transform` (used to redact credentials).
 */
export class LineRing {
  /** Maximum length of an incomplete line, so a stream that never sends a newline cannot grow memory without bound. */
  static readonly MAX_LINE_CHARS = 4096;

  private readonly lines: string[] = [];
  private partial = '';

  constructor(
    readonly capacity: number,
    private readonly transform: (line: string) => string = (line) => line,
  ) {}

  /** Adds a chunk; returns the complete lines it finished, transformed. */
  push(chunk: string): string[] {
    const parts = (this.partial + chunk).split(/\r\n|\n|\r/);
    this.partial = (parts.pop() ?? '').slice(-LineRing.MAX_LINE_CHARS);
    const added: string[] = [];
    for (const raw of parts) {
      if (raw.trim() === '') continue;
      const line = this.transform(raw);
      added.push(line);
      this.lines.push(line);
    }
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
    return added;
  }

  /** Stores a trailing line that never got its newline. */
  flush(): void {
    if (this.partial.trim() !== '') this.push('\n');
    this.partial = '';
  }

  /** Returns the stored lines, oldest first. */
  tail(): string[] {
    return [...this.lines];
  }
}

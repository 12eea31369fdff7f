/** "1 source", "2 sources", "0 errors": every count printed to people goes through here. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

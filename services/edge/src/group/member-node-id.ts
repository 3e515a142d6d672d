/** Node ids are at most this long (the config's rule). */
const MAX_NODE_ID_LENGTH = 64;

/** `<node>-<n>`: the node id of member n (1-based) of the group named `node`, shortened at the front part to stay a valid node id. */
export function memberNodeId(node: string, member: number): string {
  const suffix = `-${member}`;
  return `${node.slice(0, MAX_NODE_ID_LENGTH - suffix.length)}${suffix}`;
}

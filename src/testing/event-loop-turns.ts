/** How many turns the event loop took while `work` ran: more than one means other work could run in between. */
export async function turnsDuring(work: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  let working = true;
  const spin = () => {
    if (!working) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  try {
    await work();
  } finally {
    working = false;
  }
  return turns;
}

/**
 * The intake: items of a synchronous burst beyond `burst` wait, counted in, and are admitted in
 * slices on later turns; order, the end of the input, stopping and dropping.
 */
import { expect } from 'chai';
import { Intake, INTAKE_SLICE } from '../../lib/producer/intake.js';
import type { IntakeOptions } from '../../lib/producer/intake.js';

/** An intake over a log of what happened to each item; slices run when `turn()` is called. */
function harness(overrides: Partial<IntakeOptions<number>> = {}) {
  const log: string[] = [];
  const scheduled: (() => void)[] = [];
  let stopped = false;
  const intake = new Intake<number>({
    admit: (item) => void log.push(`admit ${item}`),
    reserve: (item) => (log.push(`reserve ${item}`), true),
    admitReserved: (item) => void log.push(`admitReserved ${item}`),
    stopped: () => stopped,
    wanted: () => true,
    burst: 3,
    holdBack: false,
    later: (work) => {
      scheduled.push(work);
      return () => scheduled.splice(scheduled.indexOf(work), 1);
    },
    ...overrides,
  });
  /** Runs the slice scheduled, as the next turn of the event loop would. */
  const turn = (): void => {
    const work = scheduled.shift();
    expect(work, 'a slice is scheduled').to.not.equal(undefined);
    work!();
  };
  return { intake, log, scheduled, turn, stop: () => (stopped = true) };
}

/** Waits for the microtasks queued so far (the end of a synchronous run). */
const endOfRun = (): Promise<void> => new Promise((resolve) => queueMicrotask(resolve));

describe('Intake', () => {
  it('admits the items of a synchronous run up to the burst at once, and reserves the rest to admit them on a later turn, in order', () => {
    const { intake, log, scheduled, turn } = harness();
    for (let item = 0; item < 6; item++) intake.take(item);
    expect(log).to.deep.equal(['admit 0', 'admit 1', 'admit 2', 'reserve 3', 'reserve 4', 'reserve 5']);
    expect(intake.waiting).to.equal(3);
    expect(scheduled).to.have.length(1);
    turn();
    expect(log.slice(6)).to.deep.equal(['admitReserved 3', 'admitReserved 4', 'admitReserved 5']);
    expect(intake.waiting).to.equal(0);
    expect(scheduled).to.have.length(0);
  });

  it('counts the run anew once the synchronous run has ended', async () => {
    const { intake, log } = harness();
    for (let item = 0; item < 3; item++) intake.take(item);
    await endOfRun();
    for (let item = 3; item < 6; item++) intake.take(item);
    expect(log).to.deep.equal(['admit 0', 'admit 1', 'admit 2', 'admit 3', 'admit 4', 'admit 5']);
  });

  it('queues an item behind those waiting even in a new run (order is kept)', async () => {
    const { intake, log, turn } = harness();
    for (let item = 0; item < 4; item++) intake.take(item);
    await endOfRun();
    intake.take(4);
    expect(log).to.deep.equal(['admit 0', 'admit 1', 'admit 2', 'reserve 3', 'reserve 4']);
    turn();
    expect(log.slice(5)).to.deep.equal(['admitReserved 3', 'admitReserved 4']);
  });

  it(`admits at most ${INTAKE_SLICE} items per turn`, () => {
    const { intake, log, scheduled, turn } = harness({ burst: 0 });
    for (let item = 0; item < 2 * INTAKE_SLICE + 1; item++) intake.take(item);
    const admitted = () => log.filter((line) => line.startsWith('admitReserved')).length;
    turn();
    expect(admitted()).to.equal(INTAKE_SLICE);
    turn();
    expect(admitted()).to.equal(2 * INTAKE_SLICE);
    turn();
    expect(admitted()).to.equal(2 * INTAKE_SLICE + 1);
    expect(scheduled).to.have.length(0);
  });

  it('prepares only while more is wanted, and goes on when resumed', () => {
    let wanted = 2;
    const { intake, log, scheduled, turn } = harness({
      burst: 0,
      wanted: () => wanted > 0,
      admitReserved: (item) => {
        wanted--;
        log.push(`admitReserved ${item}`);
      },
    });
    for (let item = 0; item < 5; item++) intake.take(item);
    turn();
    expect(log.filter((line) => line.startsWith('admitReserved'))).to.deep.equal(['admitReserved 0', 'admitReserved 1']);
    expect(scheduled, 'nothing scheduled while not wanted').to.have.length(0);
    intake.resume();
    expect(scheduled, 'resume() does nothing while not wanted').to.have.length(0);
    wanted = 10;
    intake.resume();
    intake.resume();
    expect(scheduled).to.have.length(1);
    turn();
    expect(log.filter((line) => line.startsWith('admitReserved')).slice(2)).to.deep.equal(['admitReserved 2', 'admitReserved 3', 'admitReserved 4']);
    intake.resume();
    expect(scheduled, 'nothing waits').to.have.length(0);
  });

  it('ends the input only once every waiting item is admitted; at once when none waits', () => {
    const { intake, log, turn } = harness();
    intake.end(() => log.push('end'));
    expect(log).to.deep.equal(['end']);
    log.length = 0;
    for (let item = 0; item < 5; item++) intake.take(item);
    intake.end(() => log.push('end'));
    expect(log.at(-1)).to.equal('reserve 4');
    turn();
    expect(log.slice(-3)).to.deep.equal(['admitReserved 3', 'admitReserved 4', 'end']);
  });

  it('does not queue an item that reserve refuses (over the count bound)', () => {
    const { intake, log, scheduled } = harness({ reserve: (item) => (log.push(`refuse ${item}`), false) });
    for (let item = 0; item < 5; item++) intake.take(item);
    expect(log.slice(3)).to.deep.equal(['refuse 3', 'refuse 4']);
    expect(intake.waiting).to.equal(0);
    expect(scheduled).to.have.length(0);
  });

  it('stops admitting once the input has stopped, and drain() hands back what was never admitted', () => {
    const harnessed = harness({
      admitReserved: (item) => {
        harnessed.log.push(`admitReserved ${item}`);
        if (item === 4) harnessed.stop();
      },
    });
    const { intake, log, scheduled, turn } = harnessed;
    for (let item = 0; item < 8; item++) intake.take(item);
    turn();
    expect(log.filter((line) => line.startsWith('admitReserved'))).to.deep.equal(['admitReserved 3', 'admitReserved 4']);
    expect(scheduled).to.have.length(0);
    expect(intake.drain()).to.deep.equal([5, 6, 7]);
    expect(intake.waiting).to.equal(0);
  });

  it('drop() cancels the next slice and forgets what waits (unsubscribe)', () => {
    const { intake, log, scheduled } = harness();
    for (let item = 0; item < 5; item++) intake.take(item);
    intake.end(() => log.push('end'));
    intake.drop();
    expect(scheduled).to.have.length(0);
    expect(intake.waiting).to.equal(0);
    expect(log).to.not.include('end');
  });

  it('keeps the order while it drops the admitted part of a queue that never empties', () => {
    const { intake, log, scheduled, turn } = harness({ burst: 0 });
    let next = 0;
    for (let round = 0; round < 10; round++) {
      for (let item = 0; item < INTAKE_SLICE + 100; item++) intake.take(next++);
      turn();
    }
    while (scheduled.length > 0) turn();
    const admitted = log.filter((line) => line.startsWith('admitReserved')).map((line) => Number(line.split(' ')[1]));
    expect(admitted).to.deep.equal(Array.from({ length: next }, (_, item) => item));
  });
});

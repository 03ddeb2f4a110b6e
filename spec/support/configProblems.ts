/** Shared by the config specs: what a validator refuses a configuration for. */
import { expect } from 'chai';
import { KinesisConfigError } from '../../lib/index.js';

/**
 * The problems `validate` refuses `config` for; fails the test when it accepts it, or throws
 * anything but a {@link KinesisConfigError}.
 */
export function configProblems(validate: (input: unknown) => unknown, config: unknown): readonly string[] {
  try {
    validate(config);
  } catch (error) {
    expect(error).to.be.instanceOf(KinesisConfigError);
    return (error as KinesisConfigError).problems;
  }
  throw new Error('config was accepted');
}

// @ts-check
/**
 * A typedoc plugin for the API docs of this package. The config types are derived from io-ts
 * codecs, so typedoc takes each field's codec (`concurrency: PositiveInteger`) for a default value
 * and shows `concurrency?: number = PositiveInteger`. This drops those: a field's default is the
 * one its documentation states ("Default ..."), not its codec.
 */
import { Converter, ReflectionKind } from 'typedoc';

/** An initializer that is the name of a codec (`PositiveInteger`, `EndpointUrl`), not a value. */
const CODEC_NAME = /^[A-Z][A-Za-z0-9]*$/;

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const reflection of context.project.getReflectionsByKind(ReflectionKind.Property)) {
      const property = /** @type {import('typedoc').DeclarationReflection} */ (reflection);
      if (property.defaultValue !== undefined && CODEC_NAME.test(property.defaultValue)) property.defaultValue = undefined;
    }
  });
}

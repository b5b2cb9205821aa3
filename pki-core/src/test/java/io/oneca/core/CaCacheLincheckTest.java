package io.oneca.core;

import io.oneca.api.Fingerprint;
import io.oneca.api.store.Versioned;
import io.oneca.core.internal.crypto.CaMaterial;
import io.oneca.core.internal.crypto.Providers;
import io.oneca.core.internal.record.CaRecord;
import io.oneca.core.internal.record.CaRecordCodec;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.kotlinx.lincheck.Options;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;
import org.jetbrains.kotlinx.lincheck.strategy.stress.StressOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lincheck: the advance-only {@link CaCache} is linearizable with {@link CaCacheModel} ("the newest
 * offered version that parses, with a count of adoptions"), with versions offered in any order from
 * several threads. Since {@link #current()} is part of the check, a cache that ever went back to
 * an older version, adopted an unusable one, lost an adoption or counted one twice fails.
 *
 * <p>The stored versions are real encoded CA records, two CAs generated once per class; version
 * {@value #UNUSABLE} holds bytes that are not a record. Every scenario gets a new cache whose
 * parse cache is primed with the usable versions (parsed once per class by a real cache), as a
 * replica primes the versions it wrote: parsing and checking a CA signature on every offer would
 * make each model-checking invocation cost milliseconds of instrumented BouncyCastle code. The
 * unusable version is parsed (and rejected) by the cache under test in every scenario.
 */
// Public, with public operations: Lincheck creates and calls it by reflection from another module.
// The test classes are patched into io.oneca.core, so javac's "exports" lint would flag JUnit types.
@SuppressWarnings("exports")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
@Param(name = "version", gen = IntGen.class, conf = "1:" + CaCacheLincheckTest.VERSIONS)
public class CaCacheLincheckTest {
  static final int VERSIONS = 5;
  static final int UNUSABLE = 3;
  private static final String KEY = "oneca/ca";
  private static final CaRecordCodec CODEC = new CaRecordCodec(Providers.bouncyCastle());
  private static final Map<Integer, Versioned<byte[]>> STORED = new TreeMap<>();
  private static final Map<Integer, CaRecord> PARSED = new TreeMap<>();
  private static final Map<Integer, Fingerprint> FINGERPRINTS = new TreeMap<>();

  static {
    Instant now = Instant.now();
    CaMaterial a = StoredCas.newCa("CN=Lincheck A", Duration.ofDays(10), now);
    CaMaterial b = StoredCas.newCa("CN=Lincheck B", Duration.ofDays(10), now);
    CaCache parser = newCache();
    for (int version = 1; version <= VERSIONS; version++) {
      if (version == UNUSABLE) {
        STORED.put(version, new Versioned<>(KEY, "not a record".getBytes(StandardCharsets.US_ASCII), version));
        continue;
      }
      CaMaterial ca = version % 2 == 0 ? a : b;
      Versioned<byte[]> stored = new Versioned<>(KEY,
          CODEC.encode(new CaRecord(ca, List.of(a.certificate(), b.certificate()), now, "lincheck")), version);
      STORED.put(version, stored);
      PARSED.put(version, parser.inspect(stored));
      FINGERPRINTS.put(version, ca.fingerprint());
    }
  }

  private final CaCache cache = newCache();

  /** Creates a cache primed with the usable versions; Lincheck creates one per scenario. */
  public CaCacheLincheckTest() {
    PARSED.forEach((version, record) -> cache.prime(STORED.get(version), record));
  }

  private static CaCache newCache() {
    return new CaCache(KEY, "lincheck", CODEC, Providers.bouncyCastle(), InstantSource.system(), Duration.ZERO);
  }

  /** Offers a stored version, as a watch event, a resync or a reload does. */
  @Operation
  public String offer(@Param(name = "version") int version) {
    CaCache.Offer offer = cache.offer(STORED.get(version));
    return offer.advance() + " " + describe(offer.state());
  }

  @Operation
  public String current() {
    return describe(cache.current());
  }

  @Test
  void stress_linearizableWithTheModel() {
    LinChecker.check(CaCacheLincheckTest.class, withKnownHazards(new StressOptions())
        .sequentialSpecification(CaCacheModel.class)
        .iterations(scaled(30))
        .invocationsPerIteration(2_000)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(1)
        .actorsAfter(1));
  }

  @Test
  void modelChecking_linearizableWithTheModel() {
    // An offer compares the stored bytes with the held ones (a loop over a shared, never-written
    // array); Lincheck's default threshold of about a hundred visits takes that loop for a spin lock.
    LinChecker.check(CaCacheLincheckTest.class, withKnownHazards(new ModelCheckingOptions()
        .hangingDetectionThreshold(100_000))
        .sequentialSpecification(CaCacheModel.class)
        .iterations(scaled(4))
        .invocationsPerIteration(150)
        .threads(3)
        .actorsPerThread(2)
        .actorsBefore(1)
        .actorsAfter(1));
  }

  /**
   * Adds the races that matter in every run: an unusable version offered while a newer usable one
   * is adopted, and newer and older versions adopted concurrently (a watch event racing a resync).
   */
  private static <O extends Options<O, ?>> O withKnownHazards(O options) {
    return options
        .addCustomScenario(new ExecutionScenario(List.of(),
            List.of(List.of(actor("offer", UNUSABLE)), List.of(actor("offer", UNUSABLE + 1))),
            List.of(actor("current")), null))
        .addCustomScenario(new ExecutionScenario(List.of(actor("offer", 1)),
            List.of(List.of(actor("offer", 2), actor("current")), List.of(actor("offer", 5), actor("current")),
                List.of(actor("offer", 4))),
            List.of(actor("current")), null));
  }

  private static Actor actor(String operation, Object... arguments) {
    for (Method method : CaCacheLincheckTest.class.getMethods()) {
      if (method.getName().equals(operation) && method.getParameterCount() == arguments.length) {
        return new Actor(method, List.of(arguments));
      }
    }
    throw new IllegalArgumentException("no operation " + operation + "/" + arguments.length);
  }

  /** Scenario count times {@code -Doneca.lincheck.scale} (default 1), for deeper runs by hand. */
  private static int scaled(int iterations) {
    return iterations * Math.max(1, Integer.getInteger("oneca.lincheck.scale", 1));
  }

  /** The state as the model describes it; a state whose CA is not the one stored at its version says so. */
  private static String describe(CaCache.CaState state) {
    if (state == null) {
      return "none";
    }
    String described = "v" + state.version() + "/g" + state.generation();
    Fingerprint expected = FINGERPRINTS.get((int) state.version());
    if (!state.view().fingerprint().equals(expected) || state.view().storeVersion() != state.version()) {
      return described + " holding the wrong CA " + state.view().fingerprint().shortForm();
    }
    return described;
  }
}

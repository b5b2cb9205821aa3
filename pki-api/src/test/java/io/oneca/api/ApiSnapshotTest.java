package io.oneca.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keeps pki-api's public surface deliberate: the public and protected signatures of every exported
 * type must equal the snapshot in {@code pki-api/api/pki-api.api}, which lives in git so that every
 * API change shows up in review. After an intended change, regenerate it with
 * {@code mvn -pl pki-api test -Dtest=ApiSnapshotTest -Doneca.api.update=true}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApiSnapshotTest {
  private static final List<String> EXPORTED = List.of(
      "io/oneca/api", "io/oneca/api/audit", "io/oneca/api/security", "io/oneca/api/store", "io/oneca/api/store/spi");

  @Test
  void publicApi_matchesTheCommittedSnapshot() throws Exception {
    Path snapshot = Path.of(System.getProperty("oneca.api.snapshot", "api/pki-api.api"));
    String actual = String.join("\n", describeApi()) + "\n";
    if (Boolean.getBoolean("oneca.api.update")) {
      Files.writeString(snapshot, actual, StandardCharsets.UTF_8);
    }
    assertThat(Files.exists(snapshot))
        .as("API snapshot %s is missing; create it with -Doneca.api.update=true", snapshot)
        .isTrue();
    assertThat(actual)
        .as("the public API of pki-api changed; if intended, regenerate %s with "
            + "mvn -pl pki-api test -Dtest=ApiSnapshotTest -Doneca.api.update=true and commit it", snapshot)
        .isEqualTo(Files.readString(snapshot, StandardCharsets.UTF_8));
  }

  private static List<String> describeApi() throws IOException, ClassNotFoundException {
    Path classes = Path.of(OneCaException.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    List<String> lines = new ArrayList<>();
    for (String pkg : EXPORTED) {
      List<Path> files;
      try (Stream<Path> listing = Files.list(classes.resolve(pkg))) {
        files = listing.filter(p -> p.toString().endsWith(".class")).sorted().toList();
      }
      for (Path file : files) {
        String name = pkg.replace('/', '.') + "." + file.getFileName().toString().replace(".class", "");
        if (name.endsWith("package-info")) {
          continue;
        }
        Class<?> type = Class.forName(name, false, ApiSnapshotTest.class.getClassLoader());
        if (isVisible(type)) {
          lines.addAll(describe(type));
        }
      }
    }
    return lines;
  }

  private static boolean isVisible(Class<?> type) {
    for (Class<?> t = type; t != null; t = t.getEnclosingClass()) {
      if (!Modifier.isPublic(t.getModifiers()) && !Modifier.isProtected(t.getModifiers())) {
        return false;
      }
    }
    return !type.isAnonymousClass() && !type.isSynthetic();
  }

  private static List<String> describe(Class<?> type) {
    List<String> lines = new ArrayList<>();
    lines.add(type.toGenericString() + header(type));
    TreeSet<String> members = new TreeSet<>();
    for (Constructor<?> c : type.getDeclaredConstructors()) {
      if (visible(c.getModifiers()) && !c.isSynthetic()) {
        members.add("  " + c.toGenericString());
      }
    }
    for (Method m : type.getDeclaredMethods()) {
      if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
        members.add("  " + m.toGenericString());
      }
    }
    for (Field f : type.getDeclaredFields()) {
      if (visible(f.getModifiers()) && !f.isSynthetic()) {
        members.add("  " + f.toGenericString());
      }
    }
    lines.addAll(members);
    return lines;
  }

  private static String header(Class<?> type) {
    StringBuilder sb = new StringBuilder();
    if (type.getGenericSuperclass() != null && type.getSuperclass() != Object.class
        && !type.isEnum() && !type.isRecord()) {
      sb.append(" extends ").append(type.getGenericSuperclass().getTypeName());
    }
    if (type.getGenericInterfaces().length > 0) {
      sb.append(type.isInterface() ? " extends " : " implements ");
      List<String> names = new ArrayList<>();
      for (var i : type.getGenericInterfaces()) {
        names.add(i.getTypeName());
      }
      sb.append(String.join(", ", names));
    }
    if (type.isSealed()) {
      List<String> names = new ArrayList<>();
      for (Class<?> permitted : type.getPermittedSubclasses()) {
        names.add(permitted.getName());
      }
      sb.append(" permits ").append(String.join(", ", names));
    }
    return sb.toString();
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }
}

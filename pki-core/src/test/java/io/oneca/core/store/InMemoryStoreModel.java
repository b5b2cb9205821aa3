package io.oneca.core.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The sequential specification {@link InMemoryStoreLincheckTest} checks against: a sorted map of
 * key to (version, value) and one revision counter, advanced by every applied write and delete, so
 * that versions increase across delete and re-create. Subscriptions are level-triggered and
 * delivered with the write, so both observing operations return the key's current state.
 * Lincheck calls its methods by name; results are compared as strings.
 */
public final class InMemoryStoreModel {
  private record Entry(long version, int value) {}

  private final TreeMap<String, Entry> values = new TreeMap<>();
  private long revision;

  /** Creates an empty store; Lincheck creates one per scenario, by reflection. */
  public InMemoryStoreModel() {}

  public String create(int key, int value) {
    String name = InMemoryStoreLincheckTest.key(key);
    if (values.containsKey(name)) {
      return "conflict " + state(name);
    }
    values.put(name, new Entry(++revision, value));
    return "applied " + state(name);
  }

  public String replace(int key, long version, int value) {
    String name = InMemoryStoreLincheckTest.key(key);
    Entry current = values.get(name);
    if (current == null || current.version() != version) {
      return "conflict " + state(name);
    }
    values.put(name, new Entry(++revision, value));
    return "applied " + state(name);
  }

  public String delete(int key, long version) {
    String name = InMemoryStoreLincheckTest.key(key);
    Entry current = values.get(name);
    if (current == null || current.version() != version) {
      return "conflict " + state(name);
    }
    String deleted = state(name);
    values.remove(name);
    revision++;
    return "applied " + deleted;
  }

  public String get(int key) {
    return state(InMemoryStoreLincheckTest.key(key));
  }

  public String list() {
    List<String> entries = new ArrayList<>();
    for (String name : values.keySet()) {
      entries.add(state(name));
    }
    return String.join(",", entries);
  }

  public String watched(int key) {
    return get(key);
  }

  public String subscribeOnce(int key) {
    return get(key);
  }

  private String state(String name) {
    Entry entry = values.get(name);
    return entry == null ? "absent" : name + "@" + entry.version() + "=" + entry.value();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof InMemoryStoreModel model && revision == model.revision && values.equals(model.values);
  }

  @Override
  public int hashCode() {
    return Objects.hash(revision, values);
  }

  @Override
  public String toString() {
    return "InMemoryStoreModel[revision=" + revision + ", values=" + Map.copyOf(values) + "]";
  }
}

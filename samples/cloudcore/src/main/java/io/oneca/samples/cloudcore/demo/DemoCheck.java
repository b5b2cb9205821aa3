package io.oneca.samples.cloudcore.demo;

/**
 * One check the demo makes.
 *
 * @param name what is checked
 * @param passed whether it held
 * @param detail the evidence
 */
public record DemoCheck(String name, boolean passed, String detail) {}

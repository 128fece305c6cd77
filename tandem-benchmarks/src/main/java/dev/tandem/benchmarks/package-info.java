/** JMH benchmarks: one class per question, each with the command that runs it. */
package dev.tandem.benchmarks;

/**
 * JMH benchmarks, one class per question, each with the command that runs it in its Javadoc. Not a
 * module: JMH's generated code and the shaded jar live on the class path.
 */
package dev.tandem.benchmarks;

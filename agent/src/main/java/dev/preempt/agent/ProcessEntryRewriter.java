package dev.preempt.agent;

import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AnnotationNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TypeInsnNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Rewrites {@code @Process} methods. The body moves to a private synthetic method
 * ({@code name$preempt$body}, same descriptor); the annotated method keeps its name, signature and
 * annotations and now calls, with a lookup from its own class: {@code ProcessEntry.main} for
 * {@code public static void main(String[])}; {@code ProcessEntry.await} for a test method or a test's
 * set-up or tear-down (JUnit 5 and 4, TestNG), whose caller must see the process fail, so it runs as a
 * process and the method returns when that ends, throwing what ended it; {@code ProcessEntry.spawn} for
 * any other void method (it returns at once).
 */
final class ProcessEntryRewriter {

    static final String ANNOTATION = "Ldev/preempt/Process;";
    static final String ENTRY = "dev/preempt/internal/hooks/ProcessEntry";
    private static final String LOOKUP = "java/lang/invoke/MethodHandles$Lookup";
    /** {@code ProcessEntry.main}'s descriptor, and {@code spawn}'s and {@code await}'s (RuntimeMatch checks them too). */
    static final String MAIN_DESCRIPTOR = "(L" + LOOKUP + ";Ljava/lang/String;[Ljava/lang/String;)V",
            SPAWN_DESCRIPTOR = "(L" + LOOKUP + ";Ljava/lang/String;Ljava/lang/String;Ljava/lang/Object;[Ljava/lang/Object;)V";

    /** Returns the new body methods (already added to {@code cn}), or an empty list. */
    List<MethodNode> rewrite(ClassNode cn) {
        List<MethodNode> bodies = new ArrayList<>();
        for (MethodNode m : new ArrayList<>(cn.methods)) {
            if (!annotated(m)) continue;
            String where = cn.name.replace('/', '.') + "." + m.name;
            if ((m.access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0 || m.name.startsWith("<")) {
                AgentLog.warnOnce(where, "@Process on " + where + " ignored: it must be a concrete method, not a constructor");
                continue;
            }
            if (Type.getReturnType(m.desc) != Type.VOID_TYPE) {
                AgentLog.warnOnce(where, "@Process on " + where + " ignored: a process has no result, so the method must return void");
                continue;
            }
            bodies.add(split(cn, m));
        }
        return bodies;
    }

    /** Annotations of methods that a test framework calls and judges by what they throw. */
    private static final java.util.Set<String> TEST_ANNOTATIONS = java.util.Set.of(
            "Lorg/junit/jupiter/api/Test;", "Lorg/junit/jupiter/params/ParameterizedTest;",
            "Lorg/junit/jupiter/api/RepeatedTest;", "Lorg/junit/jupiter/api/TestTemplate;",
            "Lorg/junit/jupiter/api/BeforeEach;", "Lorg/junit/jupiter/api/AfterEach;",
            "Lorg/junit/jupiter/api/BeforeAll;", "Lorg/junit/jupiter/api/AfterAll;",
            "Lorg/junit/Test;", "Lorg/junit/Before;", "Lorg/junit/After;", "Lorg/junit/BeforeClass;",
            "Lorg/junit/AfterClass;", "Lorg/testng/annotations/Test;", "Lorg/testng/annotations/BeforeMethod;",
            "Lorg/testng/annotations/AfterMethod;");

    /** Whether a test framework calls {@code m} and judges it by what it throws. */
    static boolean calledByATestFramework(MethodNode m) {
        if (m.visibleAnnotations == null) return false;
        for (AnnotationNode a : m.visibleAnnotations) {
            if (TEST_ANNOTATIONS.contains(a.desc)) return true;
        }
        return false;
    }

    private static boolean annotated(MethodNode m) {
        if (m.visibleAnnotations == null) return false;
        for (AnnotationNode a : m.visibleAnnotations) {
            if (ANNOTATION.equals(a.desc)) return true;
        }
        return false;
    }

    private static MethodNode split(ClassNode cn, MethodNode m) {
        boolean isStatic = (m.access & Opcodes.ACC_STATIC) != 0;
        String bodyName = m.name + "$preempt$body";
        MethodNode body = new MethodNode(Opcodes.ASM9,
                (m.access & (Opcodes.ACC_STATIC | Opcodes.ACC_STRICT | Opcodes.ACC_VARARGS)) | Opcodes.ACC_PRIVATE | Opcodes.ACC_SYNTHETIC,
                bodyName, m.desc, m.signature, m.exceptions.toArray(new String[0]));
        body.instructions = m.instructions;
        body.tryCatchBlocks = m.tryCatchBlocks;
        body.localVariables = m.localVariables;
        body.maxLocals = m.maxLocals;
        body.maxStack = m.maxStack;
        body.parameters = m.parameters;
        cn.methods.add(body);

        boolean isMain = isStatic && m.name.equals("main") && m.desc.equals("([Ljava/lang/String;)V")
                && (m.access & Opcodes.ACC_PUBLIC) != 0;
        InsnList stub = new InsnList();
        stub.add(new MethodInsnNode(Opcodes.INVOKESTATIC, "java/lang/invoke/MethodHandles", "lookup",
                "()L" + LOOKUP + ";", false));
        stub.add(new LdcInsnNode(bodyName));
        if (isMain) {
            stub.add(new VarInsnNode(Opcodes.ALOAD, 0));
            stub.add(new MethodInsnNode(Opcodes.INVOKESTATIC, ENTRY, "main", MAIN_DESCRIPTOR, false));
        } else {
            stub.add(new LdcInsnNode(m.desc));
            stub.add(isStatic ? new InsnNode(Opcodes.ACONST_NULL) : new VarInsnNode(Opcodes.ALOAD, 0));
            Type[] args = Type.getArgumentTypes(m.desc);
            stub.add(new IntInsnNode(Opcodes.SIPUSH, args.length));
            stub.add(new TypeInsnNode(Opcodes.ANEWARRAY, "java/lang/Object"));
            int local = isStatic ? 0 : 1;
            for (int i = 0; i < args.length; i++) {
                stub.add(new InsnNode(Opcodes.DUP));
                stub.add(new IntInsnNode(Opcodes.SIPUSH, i));
                stub.add(new VarInsnNode(args[i].getOpcode(Opcodes.ILOAD), local));
                box(stub, args[i]);
                stub.add(new InsnNode(Opcodes.AASTORE));
                local += args[i].getSize();
            }
            stub.add(new MethodInsnNode(Opcodes.INVOKESTATIC, ENTRY, calledByATestFramework(m) ? "await" : "spawn",
                    SPAWN_DESCRIPTOR, false));
        }
        stub.add(new InsnNode(Opcodes.RETURN));
        m.instructions = stub;
        m.tryCatchBlocks = new ArrayList<>();
        m.localVariables = null;
        m.visibleLocalVariableAnnotations = null;
        m.invisibleLocalVariableAnnotations = null;
        m.maxStack = 10;
        return body;
    }

    private static void box(InsnList code, Type t) {
        String owner = switch (t.getSort()) {
            case Type.BOOLEAN -> "java/lang/Boolean";
            case Type.BYTE -> "java/lang/Byte";
            case Type.CHAR -> "java/lang/Character";
            case Type.SHORT -> "java/lang/Short";
            case Type.INT -> "java/lang/Integer";
            case Type.LONG -> "java/lang/Long";
            case Type.FLOAT -> "java/lang/Float";
            case Type.DOUBLE -> "java/lang/Double";
            default -> null;
        };
        if (owner != null) {
            code.add(new MethodInsnNode(Opcodes.INVOKESTATIC, owner, "valueOf",
                    "(" + t.getDescriptor() + ")L" + owner + ";", false));
        }
    }
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The code generator's driver: one LLVM module per script, map definitions
 * with BTF (from LLVM's DIBuilder, as libbpf 1.0+ requires), one BPF
 * function per program, then verify, optimise and emit an ELF object.
 */
#include "cg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/Target.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include "arena.h"

const char *codegen_llvm_version(void)
{
	return "LLVM " CTRACE_LLVM_VERSION_STRING;
}

/* ---- maps --------------------------------------------------------------------------------- */

/*
 * A BTF-defined map is a global in ".maps" of an anonymous struct whose
 * members are pointers to int arrays: the array length carries the value
 * (`int (*type)[BPF_MAP_TYPE_HASH]`), the way libbpf's __uint() macro does.
 */
static const char *const map_fields[] = { "type", "max_entries", "key_size", "value_size" };

LLVMValueRef cg_map_global(struct cg *c, const char *name, unsigned nmembers)
{
	LLVMTypeRef mems[4] = { c->ptr, c->ptr, c->ptr, c->ptr };
	LLVMTypeRef st = LLVMStructTypeInContext(c->ctx, mems, nmembers, 0);
	LLVMValueRef g = LLVMAddGlobal(c->mod, st, name);
	LLVMSetInitializer(g, LLVMConstNull(st));
	LLVMSetSection(g, ".maps");
	LLVMSetAlignment(g, 8);
	LLVMSetLinkage(g, LLVMExternalLinkage);
	return g;
}

static LLVMMetadataRef di_uint_member(struct cg *c, const char *name, unsigned value, unsigned i)
{
	LLVMMetadataRef sub = LLVMDIBuilderGetOrCreateSubrange(c->di, 0, value);
	LLVMMetadataRef arr = LLVMDIBuilderCreateArrayType(c->di, (uint64_t)value * 32, 32,
							    c->di_int, &sub, 1);
	LLVMMetadataRef ptr = LLVMDIBuilderCreatePointerType(c->di, arr, 64, 0, 0, NULL, 0);
	return LLVMDIBuilderCreateMemberType(c->di, c->di_file, name, strlen(name), c->di_file, 0,
					     64, 64, (uint64_t)i * 64, 0, ptr);
}

void cg_map_describe(struct cg *c, LLVMValueRef g, const char *name, int type, unsigned key_size,
		     unsigned val_size, unsigned max_entries)
{
	unsigned vals[4] = { (unsigned)type, max_entries, key_size, val_size };
	LLVMMetadataRef mems[4];
	unsigned n = type == BPF_RINGBUF ? 2 : 4; /* a ring buffer has no key or value */

	for (unsigned i = 0; i < n; i++)
		mems[i] = di_uint_member(c, map_fields[i], vals[i], i);
	LLVMMetadataRef st = LLVMDIBuilderCreateStructType(c->di, c->di_file, NULL, 0, c->di_file, 0,
							   n * 64, 64, 0, NULL, mems, n, 0, NULL,
							   NULL, 0);
	cg_describe_global(c, g, name, st);
}

void cg_describe_global(struct cg *c, LLVMValueRef g, const char *name, LLVMMetadataRef type)
{
	size_t len = strlen(name);
	LLVMMetadataRef gve = LLVMDIBuilderCreateGlobalVariableExpression(
		c->di, c->di_cu, name, len, name, len, c->di_file, 0, type, 0,
		LLVMDIBuilderCreateExpression(c->di, NULL, 0), NULL, 64);
	LLVMGlobalSetMetadata(g, LLVMGetMDKindIDInContext(c->ctx, "dbg", 3), gve);
}

LLVMValueRef cg_map_def(struct cg *c, const char *name, int type, unsigned key_size,
			unsigned val_size, unsigned max_entries)
{
	LLVMValueRef g = cg_map_global(c, name, type == BPF_RINGBUF ? 2 : 4);
	cg_map_describe(c, g, name, type, key_size, val_size, max_entries);
	return g;
}

static void define_maps(struct cg *c)
{
	const struct resources *r = &c->p->res;

	c->maps = arena_alloc(c->p->arena, sizeof(*c->maps) * (r->nmaps + 1));
	for (unsigned i = 0; i < r->nmaps; i++) {
		const struct map_res *m = &r->maps[i];
		c->maps[i] = cg_map_def(c, m->elf_name, m->bpf_type, m->key_size, m->val_size,
					m->max_entries);
	}
	c->ringbuf = cg_map_def(c, "ringbuf", BPF_RINGBUF, 0, 0, r->ringbuf_size);
	c->p->res.ncounters = 1; /* lost events; each map-full site adds one */
	if (r->needs_elapsed)
		c->start_map = cg_map_def(c, "ct_start", BPF_ARRAY, 4, 8, 1);
}

/* ---- programs ------------------------------------------------------------------------------ */

static void ret_if(struct cg *c, LLVMValueRef cond)
{
	LLVMBasicBlockRef out = cg_block(c, "filtered"), cont = cg_block(c, "pass");
	LLVMBuildCondBr(c->b, cond, out, cont);
	LLVMPositionBuilderAtEnd(c->b, out);
	LLVMBuildRet(c->b, cg_const(c, 0));
	LLVMPositionBuilderAtEnd(c->b, cont);
}

/* -p PID and --cgroup-filter: checked before anything else, begin/end excepted. */
static void filters(struct cg *c)
{
	const struct config *cfg = &c->p->cfg;

	if (c->pg->prov->flags & PROV_NO_FILTER)
		return;
	if (cfg->pid > 0) {
		LLVMValueRef tg = cg_helper(c, H_GET_CURRENT_PID_TGID, c->i64, NULL, 0);
		LLVMValueRef pid = LLVMBuildLShr(c->b, tg, cg_const(c, 32), "");
		ret_if(c, LLVMBuildICmp(c->b, LLVMIntNE, pid, cg_const(c, (uint64_t)cfg->pid), ""));
	}
	if (cfg->ncgroup_ids) {
		/* ids[2i] is a cgroup id, ids[2i+1] its level: in it or below it passes */
		LLVMValueRef ok = LLVMConstInt(c->i1, 0, 0);
		for (unsigned i = 0; i < cfg->ncgroup_ids; i++) {
			LLVMValueRef lvl = cg_const(c, cfg->cgroup_ids[2 * i + 1]);
			LLVMValueRef anc = cg_helper(c, H_GET_CURRENT_ANCESTOR_CGROUP_ID, c->i64, &lvl, 1);
			ok = LLVMBuildOr(c->b, ok,
					 LLVMBuildICmp(c->b, LLVMIntEQ, anc,
						       cg_const(c, cfg->cgroup_ids[2 * i]), ""),
					 "");
		}
		ret_if(c, LLVMBuildNot(c->b, ok, ""));
	}
}

/* x86's TS_COMPAT: the task is in a 32-bit system call */
#define TS_COMPAT 0x0002

static void syscall_table_id(struct cg *c, struct prog *pg)
{
	if (pg->compat_status_off) {
		LLVMValueRef task = cg_helper(c, H_GET_CURRENT_TASK, c->i64, NULL, 0);
		LLVMValueRef st = cg_tmp(c, 8);
		cg_store_int(c, st, cg_const(c, 0), 8);
		LLVMValueRef src = LLVMBuildIntToPtr(
			c->b, LLVMBuildAdd(c->b, task, cg_const(c, pg->compat_status_off), ""), c->ptr, "");
		LLVMValueRef args[] = { st, cg_const(c, 4), src };
		cg_helper(c, H_PROBE_READ_KERNEL, c->i64, args, 3);
		LLVMValueRef bit = LLVMBuildAnd(c->b, cg_load_int(c, st, 4, false), cg_const(c, TS_COMPAT), "");
		ret_if(c, LLVMBuildICmp(c->b, LLVMIntNE, bit, cg_const(c, 0), ""));
	}
	/* raw_syscalls:sys_enter/sys_exit: `long id` at offset 8, as in every syscalls:* event */
	LLVMValueRef nr = cg_load_int(c, cg_gep(c, c->ctxarg, 8), 8, true);
	ret_if(c, LLVMBuildICmp(c->b, LLVMIntUGE, nr, cg_const(c, pg->table_len), ""));
	LLVMValueRef key = cg_tmp(c, 4);
	cg_store_int(c, key, nr, 4);
	LLVMValueRef table = cg_map_def(c, pg->table_map, BPF_ARRAY, 4, 4, pg->table_len);
	LLVMValueRef v = cg_map_lookup(c, table, key);
	ret_if(c, LLVMBuildIsNull(c->b, v, ""));
	LLVMValueRef id = cg_load_int(c, v, 4, false);
	ret_if(c, LLVMBuildICmp(c->b, LLVMIntEQ, id, cg_const(c, 0), ""));
	c->probe_id = LLVMBuildSub(c->b, id, cg_const(c, 1), "");
}

static void probe_id(struct cg *c, struct prog *pg)
{
	switch (pg->idmode) {
	case PID_CONST:
		c->probe_id = cg_const(c, pg->targets[0]->probe_id);
		break;
	case PID_COOKIE:
		c->probe_id = pg->probe->uses_probe
				      ? cg_helper(c, H_GET_ATTACH_COOKIE, c->i64, &c->ctxarg, 1)
				      : cg_const(c, pg->targets[0]->probe_id);
		break;
	case PID_SYSCALL_TABLE:
		syscall_table_id(c, pg);
		break;
	}
}

/*
 * Every function gets a DISubprogram: the BPF backend turns it into BTF
 * func info, which the verifier requires once a program has callbacks
 * (len() uses bpf_for_each_map_elem).
 */
void cg_describe_fn(struct cg *c, LLVMValueRef fn, unsigned nparams)
{
	LLVMMetadataRef voidp = LLVMDIBuilderCreatePointerType(c->di, NULL, 64, 0, 0, NULL, 0);
	LLVMMetadataRef lng = LLVMDIBuilderCreateBasicType(c->di, "long", 4, 64, 5, 0);
	LLVMMetadataRef types[5] = { lng, voidp, voidp, voidp, voidp };
	LLVMMetadataRef st = LLVMDIBuilderCreateSubroutineType(c->di, c->di_file, types, nparams + 1, 0);
	size_t len;
	const char *name = LLVMGetValueName2(fn, &len);
	bool local = LLVMGetLinkage(fn) == LLVMInternalLinkage; /* callbacks must be static */
	LLVMMetadataRef sp = LLVMDIBuilderCreateFunction(c->di, c->di_file, name, len, name, len,
							 c->di_file, 0, st, local, 1, 0, 0, 1);
	LLVMSetSubprogram(fn, sp);
	/* the kernel refuses BTF functions whose arguments have no names */
	static const char *const names[] = { "ctx", "map", "key", "value", "data" };
	for (unsigned i = 0; i < nparams; i++) {
		const char *pn = nparams == 1 ? names[0] : names[i + 1];
		LLVMDIBuilderCreateParameterVariable(c->di, sp, pn, strlen(pn), i + 1, c->di_file, 0,
						     voidp, 1, 0);
	}
}

static void gen_prog(struct cg *c, struct prog *pg)
{
	LLVMTypeRef fty = LLVMFunctionType(c->i64, &c->ptr, 1, 0);
	struct ast_node *node = pg->probe->node;

	c->pg = pg;
	LLVMValueRef fn = LLVMAddFunction(c->mod, pg->fn_name, fty);
	LLVMSetSection(fn, pg->section);
	LLVMSetLinkage(fn, LLVMExternalLinkage);
	cg_describe_fn(c, fn, 1);
	cg_function_begin(c, fn);
	c->ctxarg = LLVMGetParam(c->fn, 0);
	c->scratch = NULL;
	c->scratch_map = NULL;
	c->scratch_used = 0;
	/* a for loop over a map runs its body in a callback: variables must live in scratch */
	c->force_scratch = pg->probe->has_formap;
	c->in_callback = false;
	c->stack_used = 0;
	c->nloops = 0;
	c->inl.done = NULL;
	for (struct var_sym *v = pg->probe->vars; v; v = v->next) {
		v->cg = NULL;
		v->cg_off = -1;
	}

	filters(c);
	probe_id(c, pg);
	if (c->force_scratch) {
		/* every variable's scratch slot, cleared at the start of each run */
		for (struct var_sym *v = pg->probe->vars; v; v = v->next)
			if (v->type && v->type->kind != TY_NONE)
				cg_var_slot(c, v);
	}
	if (node->u.probe.pred)
		ret_if(c, LLVMBuildNot(c->b, cg_cond(c, node->u.probe.pred), ""));
	cg_stmts(c, node->u.probe.body->u.block.stmts);
	LLVMBuildRet(c->b, cg_const(c, 0));
	cg_prologue_finish(c);

	if (c->scratch_map)
		cg_map_describe(c, c->scratch_map, c->scratch_name, BPF_PERCPU_ARRAY, 4,
				(c->scratch_used + 7) & ~7u, 1);
}

/* ---- module lifecycle ------------------------------------------------------------------------ */

/*
 * The BPF instruction set to compile for.  v4 (kernel 6.6+) adds stores of
 * immediates, sign-extending loads and signed division, which make shorter
 * programs; older kernels get v3 (32-bit jumps and ALU32, kernel 5.1+).
 */
static const char *bpf_cpu(void)
{
	return kernel_at_least(6, 6) ? "v4" : "v3";
}

static int cg_init(struct cg *c, struct program *p, const struct cg_opts *o)
{
	char *err = NULL;
	LLVMTargetRef target;

	memset(c, 0, sizeof(*c));
	c->p = p;
	c->opts = o;
	LLVMInitializeBPFTargetInfo();
	LLVMInitializeBPFTarget();
	LLVMInitializeBPFTargetMC();
	LLVMInitializeBPFAsmPrinter();
	if (LLVMGetTargetFromTriple("bpfel", &target, &err)) {
		diag_error(p->diags, NULL, "LLVM has no BPF target: %s", err);
		LLVMDisposeMessage(err);
		return -ENOTSUP;
	}
	c->tm = LLVMCreateTargetMachine(target, "bpfel", bpf_cpu(), "", LLVMCodeGenLevelDefault,
					LLVMRelocDefault, LLVMCodeModelDefault);
	c->ctx = LLVMContextCreate();
	c->mod = LLVMModuleCreateWithNameInContext("ctrace", c->ctx);
	LLVMSetTarget(c->mod, "bpfel");
	LLVMTargetDataRef td = LLVMCreateTargetDataLayout(c->tm);
	char *layout = LLVMCopyStringRepOfTargetData(td);
	LLVMSetDataLayout(c->mod, layout);
	LLVMDisposeMessage(layout);
	LLVMDisposeTargetData(td);
	c->b = LLVMCreateBuilderInContext(c->ctx);
	c->i1 = LLVMInt1TypeInContext(c->ctx);
	c->i8 = LLVMInt8TypeInContext(c->ctx);
	c->i16 = LLVMInt16TypeInContext(c->ctx);
	c->i32 = LLVMInt32TypeInContext(c->ctx);
	c->i64 = LLVMInt64TypeInContext(c->ctx);
	c->ptr = LLVMPointerTypeInContext(c->ctx, 0);
	c->vd = LLVMVoidTypeInContext(c->ctx);

	/* debug info only to describe maps: the BPF backend turns it into .BTF */
	c->di = LLVMCreateDIBuilder(c->mod);
	c->di_file = LLVMDIBuilderCreateFile(c->di, "ctrace.bt", 9, ".", 1);
	c->di_cu = LLVMDIBuilderCreateCompileUnit(c->di, LLVMDWARFSourceLanguageC, c->di_file,
						  "ctrace", 6, 0, "", 0, 0, "", 0,
						  LLVMDWARFEmissionFull, 0, 0, 0, "", 0, "", 0);
	c->di_int = LLVMDIBuilderCreateBasicType(c->di, "int", 3, 32, 5 /* DW_ATE_signed */, 0);
	LLVMAddModuleFlag(c->mod, LLVMModuleFlagBehaviorWarning, "Debug Info Version", 18,
			  LLVMValueAsMetadata(LLVMConstInt(c->i32, LLVMDebugMetadataVersion(), 0)));
	LLVMAddModuleFlag(c->mod, LLVMModuleFlagBehaviorWarning, "Dwarf Version", 13,
			  LLVMValueAsMetadata(LLVMConstInt(c->i32, 4, 0)));
	return 0;
}

static void cg_fini(struct cg *c)
{
	if (c->di)
		LLVMDisposeDIBuilder(c->di);
	if (c->b)
		LLVMDisposeBuilder(c->b);
	if (c->mod)
		LLVMDisposeModule(c->mod);
	if (c->ctx)
		LLVMContextDispose(c->ctx);
	if (c->tm)
		LLVMDisposeTargetMachine(c->tm);
}

static void license(struct cg *c)
{
	LLVMValueRef s = LLVMConstStringInContext(c->ctx, "GPL", 3, 0);
	LLVMValueRef g = LLVMAddGlobal(c->mod, LLVMTypeOf(s), "_license");
	LLVMSetInitializer(g, s);
	LLVMSetSection(g, "license");
	LLVMSetLinkage(g, LLVMExternalLinkage);
}

static int finish(struct cg *c, void **elf, size_t *size)
{
	char *err = NULL;
	LLVMMemoryBufferRef buf;

	LLVMDIBuilderFinalize(c->di);
	if (c->opts->dump_ir)
		fputs(LLVMPrintModuleToString(c->mod), c->opts->dump_ir);
	if (LLVMVerifyModule(c->mod, LLVMReturnStatusAction, &err)) {
		diag_error(c->p->diags, NULL, "internal error: invalid LLVM IR: %s", err);
		LLVMDisposeMessage(err);
		return -EINVAL;
	}
	LLVMDisposeMessage(err);
	LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
	LLVMErrorRef e = LLVMRunPasses(c->mod, "default<O2>", c->tm, po);
	LLVMDisposePassBuilderOptions(po);
	if (e) {
		char *msg = LLVMGetErrorMessage(e);
		diag_error(c->p->diags, NULL, "internal error: LLVM optimisation failed: %s", msg);
		LLVMDisposeErrorMessage(msg);
		return -EINVAL;
	}
	if (c->opts->dump_ir_opt) {
		char *s = LLVMPrintModuleToString(c->mod);
		fputs(s, c->opts->dump_ir_opt);
		LLVMDisposeMessage(s);
	}
	if (LLVMTargetMachineEmitToMemoryBuffer(c->tm, c->mod, LLVMObjectFile, &err, &buf)) {
		diag_error(c->p->diags, NULL, "internal error: BPF code generation failed: %s", err);
		LLVMDisposeMessage(err);
		return -EINVAL;
	}
	*size = LLVMGetBufferSize(buf);
	*elf = malloc(*size);
	if (*elf)
		memcpy(*elf, LLVMGetBufferStart(buf), *size);
	LLVMDisposeMemoryBuffer(buf);
	return *elf ? 0 : -ENOMEM;
}

int codegen(struct program *p, const struct cg_opts *o, void **elf, size_t *size)
{
	struct cg c;
	int err = cg_init(&c, p, o);

	if (!err) {
		define_maps(&c);
		license(&c);
		for (struct probe *pr = p->probes; pr; pr = pr->next)
			for (struct prog *pg = pr->progs; pg; pg = pg->next)
				gen_prog(&c, pg);
		err = p->diags->nerrors ? -EINVAL : finish(&c, elf, size);
	}
	cg_fini(&c);
	return err;
}
